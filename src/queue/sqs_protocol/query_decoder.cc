#include "queue/sqs_protocol/query_decoder.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

// Flattened list member name → JSON member name.
const std::map<std::string, std::string>& FlatLists() {
  static const auto* lists = new std::map<std::string, std::string>{
      {"AttributeName", "AttributeNames"},
      {"MessageAttributeName", "MessageAttributeNames"},
      {"MessageSystemAttributeName", "MessageSystemAttributeNames"},
      {"SendMessageBatchRequestEntry", "Entries"},
      {"DeleteMessageBatchRequestEntry", "Entries"},
      {"ChangeMessageVisibilityBatchRequestEntry", "Entries"},
      {"StringListValue", "StringListValues"},
      {"BinaryListValue", "BinaryListValues"},
      {"TagKey", "TagKeys"},
      {"AWSAccountId", "AWSAccountIds"},
      {"ActionName", "Actions"},
  };
  return *lists;
}

struct FlatMap {
  std::string json_name;
  std::string key_name;
  std::string value_name;
};

// Flattened map member name → JSON member name and the entry's key/value element names.
const std::map<std::string, FlatMap>& FlatMaps() {
  static const auto* maps = new std::map<std::string, FlatMap>{
      {"Attribute", {"Attributes", "Name", "Value"}},
      {"MessageAttribute", {"MessageAttributes", "Name", "Value"}},
      {"MessageSystemAttribute", {"MessageSystemAttributes", "Name", "Value"}},
      {"Tag", {"Tags", "Key", "Value"}},
  };
  return *maps;
}

bool IsDroppedParam(const std::string& key) {
  return key == "Action" || key == "Version" || key == "AWSAccessKeyId" || key == "Signature" ||
         key == "SignatureMethod" || key == "SignatureVersion" || key == "Timestamp" ||
         key == "Expires" || key.rfind("X-Amz-", 0) == 0;
}

Status Malformed(const std::string& detail) {
  return SqsError("MalformedQueryString", "The query string is malformed: " + detail);
}

Status Insert(json* root, const std::string& key, const std::string& value) {
  json* node = root;
  size_t pos = 0;
  while (true) {
    size_t dot = key.find('.', pos);
    std::string part = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (part.empty()) return Malformed("empty name segment in '" + key + "'");
    if (dot == std::string::npos) {
      auto it = node->find(part);
      if (it != node->end()) {
        if (!it->is_string()) return Malformed("'" + key + "' is both a value and a structure");
        if (*it != value) return Malformed("'" + key + "' is given twice with different values");
        return Status::Ok();
      }
      (*node)[part] = value;
      return Status::Ok();
    }
    json& child = (*node)[part];
    if (child.is_null()) child = json::object();
    if (!child.is_object()) return Malformed("'" + key + "' is both a value and a structure");
    node = &child;
    pos = dot + 1;
  }
}

// The members of an indexed node ("1", "2", …) in index order. SDKs send an empty list or map
// as the bare name with an empty value ("MessageAttributeNames="), which decodes to no members.
Result<std::vector<json*>> Indexed(json& node, const std::string& name) {
  if (node.is_string() && node.get_ref<const std::string&>().empty()) return std::vector<json*>();
  if (!node.is_object()) return Malformed("'" + name + "' needs an index, as in " + name + ".1");
  std::vector<std::pair<long, json*>> items;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& k = it.key();
    long index = 0;
    auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), index);
    if (ec != std::errc() || end != k.data() + k.size() || index < 1) {
      return Malformed("'" + name + "." + k + "' has an invalid index");
    }
    items.emplace_back(index, &it.value());
  }
  std::sort(items.begin(), items.end());
  std::vector<json*> out;
  for (auto& [index, value] : items) out.push_back(value);
  return out;
}

Status Normalize(json* node);

Result<json> NormalizedCopy(json* node) {
  if (node->is_object()) MLW_RETURN_IF_ERROR(Normalize(node));
  return *node;
}

Status Normalize(json* node) {
  json out = json::object();
  for (auto it = node->begin(); it != node->end(); ++it) {
    const std::string& key = it.key();
    if (auto list = FlatLists().find(key); list != FlatLists().end()) {
      MLW_ASSIGN_OR_RETURN(std::vector<json*> items, Indexed(it.value(), key));
      json array = json::array();
      for (json* item : items) {
        MLW_ASSIGN_OR_RETURN(json value, NormalizedCopy(item));
        array.push_back(std::move(value));
      }
      out[list->second] = std::move(array);
    } else if (auto map = FlatMaps().find(key); map != FlatMaps().end()) {
      MLW_ASSIGN_OR_RETURN(std::vector<json*> items, Indexed(it.value(), key));
      json object = json::object();
      for (size_t i = 0; i < items.size(); ++i) {
        json* entry = items[i];
        std::string where = key + "." + std::to_string(i + 1);
        if (!entry->is_object() || !entry->contains(map->second.key_name) ||
            !(*entry)[map->second.key_name].is_string()) {
          return SqsError("MissingParameter", "The request must contain the parameter " + where +
                                                  "." + map->second.key_name + ".");
        }
        std::string name = (*entry)[map->second.key_name].get<std::string>();
        json value;
        if (entry->contains(map->second.value_name)) {
          MLW_ASSIGN_OR_RETURN(value, NormalizedCopy(&(*entry)[map->second.value_name]));
        }
        object[name] = std::move(value);
      }
      out[map->second.json_name] = std::move(object);
    } else if (it.value().is_object()) {
      MLW_ASSIGN_OR_RETURN(json value, NormalizedCopy(&it.value()));
      out[key] = std::move(value);
    } else {
      out[key] = it.value();
    }
  }
  *node = std::move(out);
  return Status::Ok();
}

}  // namespace

Result<QueryInput> DecodeQueryParams(const http::FormParams& params) {
  QueryInput result;
  json tree = json::object();
  for (const auto& [key, value] : params) {
    if (key == "Action") {
      if (!result.action.empty() && result.action != value) return Malformed("two Actions given");
      result.action = value;
      continue;
    }
    if (IsDroppedParam(key)) continue;
    MLW_RETURN_IF_ERROR(Insert(&tree, key, value));
  }
  MLW_RETURN_IF_ERROR(Normalize(&tree));
  result.input = std::move(tree);
  return result;
}

}  // namespace mlw::queue::sqs
