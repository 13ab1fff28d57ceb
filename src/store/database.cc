#include "store/database.h"

#include <stdexcept>

namespace mlw::store {

int64_t Row::Int(size_t i) const {
  const Value& v = values.at(i);
  if (const auto* x = std::get_if<int64_t>(&v)) return *x;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  throw std::logic_error("Row::Int: column " + std::to_string(i) + " is not an integer");
}

double Row::Real(size_t i) const {
  const Value& v = values.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* x = std::get_if<int64_t>(&v)) return static_cast<double>(*x);
  throw std::logic_error("Row::Real: column " + std::to_string(i) + " is not a number");
}

const std::string& Row::Text(size_t i) const {
  const Value& v = values.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  throw std::logic_error("Row::Text: column " + std::to_string(i) + " is not text");
}

Row Materialize(const RowView& view) {
  Row row;
  row.values.reserve(view.size());
  for (size_t i = 0; i < view.size(); ++i) row.values.push_back(view.Get(i));
  return row;
}

Status Connection::QueryEach(std::string_view sql, const std::vector<Value>& params,
                             const RowVisitor& visit) {
  MLW_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  for (const Row& row : rows) MLW_RETURN_IF_ERROR(visit(RowRef(row)));
  return Status::Ok();
}

}  // namespace mlw::store
