#include "queue/sqs_protocol/params.h"

#include <charconv>

#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {
namespace {

std::string Shown(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

Status MissingParameter(const std::string& name) {
  return SqsError("MissingParameter", "The request must contain the parameter " + name + ".");
}

Status InvalidParameter(const std::string& name, const std::string& value,
                        const std::string& reason) {
  return SqsError("InvalidParameterValue",
                  "Value " + value + " for parameter " + name + " is invalid. Reason: " + reason);
}

const nlohmann::json* Params::Find(const std::string& name) const {
  auto it = input_.find(name);
  if (it == input_.end() || it->is_null()) return nullptr;
  return &*it;
}

const nlohmann::json* Params::FindCollection(const std::string& name) const {
  const nlohmann::json* v = Find(name);
  // The query protocol sends an empty list or map as the member name with an empty value.
  if (v && v->is_string() && v->get_ref<const std::string&>().empty()) return nullptr;
  return v;
}

Result<std::optional<std::string>> Params::OptionalString(const std::string& name) const {
  const nlohmann::json* v = Find(name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return InvalidParameter(name, Shown(*v), "must be a string.");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> Params::RequiredString(const std::string& name) const {
  MLW_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(name));
  if (!v) return MissingParameter(name);
  return std::move(*v);
}

Result<std::optional<int64_t>> Params::OptionalInt(const std::string& name) const {
  const nlohmann::json* v = Find(name);
  if (!v) return std::optional<int64_t>();
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
      return std::optional<int64_t>(out);
    }
  }
  return InvalidParameter(name, Shown(*v), "must be an integer.");
}

Result<int64_t> Params::RequiredInt(const std::string& name) const {
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptionalInt(name));
  if (!v) return MissingParameter(name);
  return *v;
}

Result<std::optional<int64_t>> Params::OptionalIntInRange(const std::string& name, int64_t lo,
                                                          int64_t hi) const {
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptionalInt(name));
  if (v && (*v < lo || *v > hi)) {
    return InvalidParameter(
        name, std::to_string(*v),
        "Must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", if provided.");
  }
  return v;
}

Result<std::vector<std::string>> Params::StringList(const std::string& name) const {
  std::vector<std::string> out;
  const nlohmann::json* v = FindCollection(name);
  if (!v) return out;
  if (!v->is_array()) return InvalidParameter(name, Shown(*v), "must be a list of strings.");
  for (const auto& item : *v) {
    if (!item.is_string()) return InvalidParameter(name, Shown(item), "must be a string.");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> Params::StringMap(const std::string& name) const {
  std::map<std::string, std::string> out;
  const nlohmann::json* v = FindCollection(name);
  if (!v) return out;
  if (!v->is_object()) return InvalidParameter(name, Shown(*v), "must be a map of strings.");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      return InvalidParameter(name + "." + it.key(), Shown(it.value()), "must be a string.");
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

Result<std::vector<const nlohmann::json*>> Params::ObjectList(const std::string& name) const {
  std::vector<const nlohmann::json*> out;
  const nlohmann::json* v = FindCollection(name);
  if (!v) return out;
  if (!v->is_array()) return InvalidParameter(name, Shown(*v), "must be a list.");
  for (const auto& item : *v) {
    if (!item.is_object()) return InvalidParameter(name, Shown(item), "must be a structure.");
    out.push_back(&item);
  }
  return out;
}

}  // namespace mlw::queue::sqs
