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

}  // namespace mlw::store
