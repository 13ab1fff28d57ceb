#include "queue/sqs_protocol/xml_encoder.h"

#include <map>
#include <set>

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

struct MapForm {
  const char* element;
  const char* key;
  const char* value;
};

const std::map<std::string, MapForm>& MapForms() {
  static const auto* forms = new std::map<std::string, MapForm>{
      {"Attributes", {"Attribute", "Name", "Value"}},
      {"MessageAttributes", {"MessageAttribute", "Name", "Value"}},
      {"Tags", {"Tag", "Key", "Value"}},
  };
  return *forms;
}

// Flattened list member → element name of each item ("" means: the action's result entry).
const std::map<std::string, std::string>& ListForms() {
  static const auto* forms = new std::map<std::string, std::string>{
      {"Messages", "Message"},
      {"QueueUrls", "QueueUrl"},
      {"queueUrls", "QueueUrl"},
      {"Failed", "BatchResultErrorEntry"},
      {"Successful", ""},
      {"StringListValues", "StringListValue"},
      {"BinaryListValues", "BinaryListValue"},
      {"Results", "ListMessageMoveTasksResultEntry"},
  };
  return *forms;
}

// Actions whose response has no <…Result> element.
bool IsVoidAction(const std::string& action) {
  static const auto* actions = new std::set<std::string>{
      "DeleteQueue", "SetQueueAttributes", "DeleteMessage", "ChangeMessageVisibility", "PurgeQueue",
      "TagQueue",    "UntagQueue",         "AddPermission", "RemovePermission"};
  return actions->count(action) > 0;
}

void AppendValue(const std::string& action, const std::string& name, const json& value,
                 std::string* out);

void AppendScalar(const std::string& name, const json& value, std::string* out) {
  std::string text;
  if (value.is_string()) {
    text = XmlEscape(value.get_ref<const std::string&>());
  } else if (value.is_boolean()) {
    text = value.get<bool>() ? "true" : "false";
  } else if (!value.is_null()) {
    text = value.dump();
  }
  *out += "<" + name + ">" + text + "</" + name + ">";
}

void AppendMembers(const std::string& action, const json& object, std::string* out) {
  for (auto it = object.begin(); it != object.end(); ++it)
    AppendValue(action, it.key(), it.value(), out);
}

void AppendValue(const std::string& action, const std::string& name, const json& value,
                 std::string* out) {
  if (auto map = MapForms().find(name); map != MapForms().end() && value.is_object()) {
    const MapForm& f = map->second;
    for (auto it = value.begin(); it != value.end(); ++it) {
      *out += std::string("<") + f.element + "><" + f.key + ">" + XmlEscape(it.key()) + "</" +
              f.key + ">";
      AppendValue(action, f.value, it.value(), out);
      *out += std::string("</") + f.element + ">";
    }
    return;
  }
  if (auto list = ListForms().find(name); list != ListForms().end() && value.is_array()) {
    std::string element = list->second.empty() ? action + "ResultEntry" : list->second;
    for (const json& item : value) AppendValue(action, element, item, out);
    return;
  }
  if (value.is_object()) {
    *out += "<" + name + ">";
    AppendMembers(action, value, out);
    *out += "</" + name + ">";
    return;
  }
  if (value.is_array()) {  // not in the model: repeat the element
    for (const json& item : value) AppendValue(action, name, item, out);
    return;
  }
  AppendScalar(name, value, out);
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += "\xEF\xBF\xBD";
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string RenderXmlResponse(const std::string& action, const nlohmann::json& output,
                              const std::string& request_id) {
  std::string out =
      "<?xml version=\"1.0\"?><" + action + "Response xmlns=\"" + kXmlNamespace + "\">";
  if (!IsVoidAction(action)) {
    out += "<" + action + "Result>";
    if (output.is_object()) AppendMembers(action, output, &out);
    out += "</" + action + "Result>";
  }
  out += "<ResponseMetadata><RequestId>" + XmlEscape(request_id) +
         "</RequestId></ResponseMetadata></" + action + "Response>";
  return out;
}

std::string RenderXmlError(const ErrorSpelling& error, const std::string& message,
                           const std::string& request_id) {
  return std::string("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"") + kXmlNamespace +
         "\"><Error><Type>" + (error.sender_fault ? "Sender" : "Receiver") + "</Type><Code>" +
         XmlEscape(error.query_code) + "</Code><Message>" + XmlEscape(message) +
         "</Message><Detail/></Error><RequestId>" + XmlEscape(request_id) +
         "</RequestId></ErrorResponse>";
}

}  // namespace mlw::queue::sqs
