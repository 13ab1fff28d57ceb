#include "queue/queue_validation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

namespace mlw::queue {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool AllNameChars(std::string_view s) { return std::all_of(s.begin(), s.end(), IsNameChar); }

Status ParamError(std::string msg) { return InvalidArgument(std::move(msg), "InvalidParameterValue"); }

Status AttrValueError(std::string_view name, std::string_view why) {
  return InvalidArgument("Invalid value for the parameter " + std::string(name) + ": " +
                             std::string(why),
                         "InvalidAttributeValue");
}

// Parses a whole decimal integer; false on anything else (sign allowed, no spaces).
bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Status ApplyIntAttribute(std::string_view name, std::string_view value, int min, int max,
                         int* field) {
  int v = 0;
  if (!ParseInt(value, &v)) return AttrValueError(name, "must be an integer");
  if (v < min || v > max) {
    return AttrValueError(name, "must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
  }
  *field = v;
  return Status::Ok();
}

bool IsValidNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  double d = std::strtod(std::string(s).c_str(), nullptr);
  return std::isfinite(d);
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

Status ValidateAttributeName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return ParamError("Message attribute name '" + std::string(name) + "' is invalid: " +
                      std::string(why));
  };
  if (name.empty() || name.size() > 256) return bad("must be 1 to 256 characters");
  for (char c : name) {
    if (!IsNameChar(c) && c != '.') return bad("only A-Z, a-z, 0-9, '_', '-' and '.' are allowed");
  }
  if (StartsWithNoCase(name, "AWS.") || StartsWithNoCase(name, "Amazon.")) {
    return bad("the prefixes 'AWS.' and 'Amazon.' are reserved");
  }
  if (name.front() == '.' || name.back() == '.') return bad("must not start or end with a period");
  if (name.find("..") != std::string_view::npos) return bad("must not contain two periods in a row");
  return Status::Ok();
}

const std::set<std::string, std::less<>>& PassthroughNames() {
  static const std::set<std::string, std::less<>> kNames = {"Policy", "RedriveAllowPolicy",
                                                            "SqsManagedSseEnabled"};
  return kNames;
}

}  // namespace

Status ValidateQueueName(std::string_view name) {
  if (name.empty() || name.size() > 80 || !AllNameChars(name)) {
    return ParamError("Queue name '" + std::string(name) +
                      "' is invalid: use 1 to 80 characters of A-Z, a-z, 0-9, '-' and '_'");
  }
  return Status::Ok();
}

bool IsXmlSafeUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) return false;
      ++p;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Reject overlong encodings, then apply the XML character ranges.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
      return false;
    }
    bool ok = (cp >= 0x80 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
    p += len;
  }
  return true;
}

Status ValidateBatchEntryIds(const std::vector<std::string_view>& ids) {
  if (ids.empty()) {
    return InvalidArgument("There should be at least one entry in the batch request",
                           "EmptyBatchRequest");
  }
  if (ids.size() > static_cast<size_t>(kMaxBatchEntries)) {
    return InvalidArgument("Maximum number of entries per request are " +
                               std::to_string(kMaxBatchEntries) + "; got " +
                               std::to_string(ids.size()),
                           "TooManyEntriesInBatchRequest");
  }
  std::set<std::string_view> seen;
  for (std::string_view id : ids) {
    if (id.empty() || id.size() > 80 || !AllNameChars(id)) {
      return InvalidArgument("Batch entry id '" + std::string(id) +
                                 "' is invalid: use 1 to 80 characters of A-Z, a-z, 0-9, '-', '_'",
                             "InvalidBatchEntryId");
    }
    if (!seen.insert(id).second) {
      return InvalidArgument("Batch entry id '" + std::string(id) + "' is used more than once",
                             "BatchEntryIdsNotDistinct");
    }
  }
  return Status::Ok();
}

size_t MessageSize(const SendEntry& entry) {
  size_t size = entry.body.size();
  for (const auto& [name, attr] : entry.attributes) {
    size += name.size() + attr.data_type.size() + attr.string_value.size() +
            attr.binary_value.size();
  }
  return size;
}

Status ValidateMessageAttributes(const MessageAttributes& attributes) {
  if (attributes.size() > static_cast<size_t>(kMaxMessageAttributes)) {
    return ParamError("Number of message attributes [" + std::to_string(attributes.size()) +
                      "] exceeds the allowed maximum [" + std::to_string(kMaxMessageAttributes) +
                      "]");
  }
  for (const auto& [name, attr] : attributes) {
    MLW_RETURN_IF_ERROR(ValidateAttributeName(name));
    const std::string& type = attr.data_type;
    std::string_view base = std::string_view(type).substr(0, type.find('.'));
    std::string_view label =
        type.find('.') == std::string::npos ? "" : std::string_view(type).substr(type.find('.') + 1);
    bool label_ok = type.find('.') == std::string::npos ||
                    (!label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
                      return IsNameChar(c) || c == '.';
                    }));
    if ((base != "String" && base != "Number" && base != "Binary") || !label_ok ||
        type.size() > 256) {
      return ParamError("Message attribute '" + name + "' has invalid data type '" + type +
                        "': use String, Number or Binary, optionally followed by .<label>");
    }
    if (base == "Binary") {
      if (attr.binary_value.empty()) {
        return ParamError("Message attribute '" + name + "' must contain a non-empty Binary value");
      }
      continue;
    }
    if (attr.string_value.empty()) {
      return ParamError("Message attribute '" + name + "' must contain a non-empty value of type " +
                        std::string(base));
    }
    if (!IsXmlSafeUtf8(attr.string_value)) {
      return InvalidArgument("Message attribute '" + name + "' contains characters outside the " +
                                 "allowed Unicode set",
                             "InvalidMessageContents");
    }
    if (base == "Number" && !IsValidNumber(attr.string_value)) {
      return ParamError("Message attribute '" + name + "' of type Number has a value that is " +
                        "not a number");
    }
  }
  return Status::Ok();
}

Status ValidateSendEntry(const SendEntry& entry, int maximum_message_size) {
  if (entry.body.empty()) {
    return InvalidArgument("The request must contain the parameter MessageBody",
                           "MissingParameter");
  }
  size_t size = MessageSize(entry);
  if (size > static_cast<size_t>(maximum_message_size)) {
    return ParamError("Message must be shorter than " + std::to_string(maximum_message_size) +
                      " bytes (body and attributes are " + std::to_string(size) + " bytes)");
  }
  if (!IsXmlSafeUtf8(entry.body)) {
    return InvalidArgument(
        "Invalid characters found in the message body: only #x9 | #xA | #xD | #x20-#xD7FF | "
        "#xE000-#xFFFD | #x10000-#x10FFFF in valid UTF-8 are allowed",
        "InvalidMessageContents");
  }
  if (entry.delay_seconds && (*entry.delay_seconds < 0 || *entry.delay_seconds > kMaxDelaySeconds)) {
    return ParamError("DelaySeconds must be between 0 and " + std::to_string(kMaxDelaySeconds));
  }
  if (entry.deduplication_id.size() > 128 ||
      !std::all_of(entry.deduplication_id.begin(), entry.deduplication_id.end(),
                   [](char c) { return c >= 0x21 && c <= 0x7e; })) {
    return ParamError("MessageDeduplicationId must be at most 128 printable ASCII characters "
                      "without spaces");
  }
  return ValidateMessageAttributes(entry.attributes);
}

Status ValidateReceiveOptions(const ReceiveOptions& options) {
  if (options.max_messages < 1 || options.max_messages > kMaxBatchEntries) {
    return ParamError("MaxNumberOfMessages must be between 1 and " +
                      std::to_string(kMaxBatchEntries));
  }
  if (options.wait_seconds && (*options.wait_seconds < 0 || *options.wait_seconds > kMaxWaitSeconds)) {
    return ParamError("WaitTimeSeconds must be between 0 and " + std::to_string(kMaxWaitSeconds));
  }
  if (options.visibility_timeout) return ValidateVisibilityTimeout(*options.visibility_timeout);
  return Status::Ok();
}

Status ValidateVisibilityTimeout(int seconds) {
  if (seconds < 0 || seconds > kMaxVisibilityTimeoutSeconds) {
    return ParamError("VisibilityTimeout must be between 0 and " +
                      std::to_string(kMaxVisibilityTimeoutSeconds) + " seconds");
  }
  return Status::Ok();
}

Result<RedrivePolicy> ParseRedrivePolicy(std::string_view json) {
  auto bad = [](std::string_view why) { return AttrValueError("RedrivePolicy", why); };
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "deadLetterTargetArn" && key != "maxReceiveCount") {
      return bad("unknown field '" + key + "'");
    }
  }
  if (!j.contains("deadLetterTargetArn") || !j["deadLetterTargetArn"].is_string()) {
    return bad("deadLetterTargetArn (a string) is required");
  }
  RedrivePolicy policy;
  policy.dead_letter_arn = j["deadLetterTargetArn"].get<std::string>();
  // arn:aws:sqs:<region>:<account>:<name>
  std::vector<std::string_view> parts;
  std::string_view arn = policy.dead_letter_arn;
  for (size_t start = 0;;) {
    size_t colon = arn.find(':', start);
    parts.push_back(arn.substr(start, colon == std::string_view::npos ? arn.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  bool account_ok = parts.size() == 6 && parts[4].size() == 12 &&
                    std::all_of(parts[4].begin(), parts[4].end(), ::isdigit);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "sqs" ||
      parts[3].empty() || !account_ok || !ValidateQueueName(parts[5]).ok()) {
    return bad("deadLetterTargetArn must look like arn:aws:sqs:<region>:" +
               std::string(kLocalAccountId) + ":<queue name>");
  }
  policy.dead_letter_queue = std::string(parts[5]);
  const nlohmann::json* count = j.contains("maxReceiveCount") ? &j["maxReceiveCount"] : nullptr;
  int n = 0;
  if (count && count->is_number_integer()) {
    n = count->get<int>();
  } else if (!count || !count->is_string() || !ParseInt(count->get<std::string>(), &n)) {
    return bad("maxReceiveCount (an integer) is required");
  }
  if (n < 1 || n > kMaxReceiveCountLimit) {
    return bad("maxReceiveCount must be between 1 and " + std::to_string(kMaxReceiveCountLimit));
  }
  policy.max_receive_count = n;
  return policy;
}

std::string RedrivePolicyJson(const RedrivePolicy& policy) {
  nlohmann::json j = {{"deadLetterTargetArn", policy.dead_letter_arn},
                      {"maxReceiveCount", policy.max_receive_count}};
  return j.dump();
}

Status ApplyQueueAttributes(const QueueAttributes& attributes, QueueConfig* config) {
  QueueConfig next = *config;
  for (const auto& [name, value] : attributes) {
    if (name == "VisibilityTimeout") {
      MLW_RETURN_IF_ERROR(
          ApplyIntAttribute(name, value, 0, kMaxVisibilityTimeoutSeconds, &next.visibility_timeout));
    } else if (name == "DelaySeconds") {
      MLW_RETURN_IF_ERROR(ApplyIntAttribute(name, value, 0, kMaxDelaySeconds, &next.delay_seconds));
    } else if (name == "MaximumMessageSize") {
      MLW_RETURN_IF_ERROR(ApplyIntAttribute(name, value, kMinMessageSizeLimit,
                                            kMaxMessageSizeLimit, &next.maximum_message_size));
    } else if (name == "MessageRetentionPeriod") {
      MLW_RETURN_IF_ERROR(ApplyIntAttribute(name, value, kMinRetentionSeconds, kMaxRetentionSeconds,
                                            &next.message_retention_period));
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      MLW_RETURN_IF_ERROR(ApplyIntAttribute(name, value, 0, kMaxWaitSeconds,
                                            &next.receive_message_wait_time_seconds));
    } else if (name == "RedrivePolicy") {
      if (value.empty()) {
        next.redrive_policy.reset();
      } else {
        MLW_ASSIGN_OR_RETURN(next.redrive_policy, ParseRedrivePolicy(value));
      }
    } else if (name == "Policy" || name == "RedriveAllowPolicy") {
      if (!value.empty() && !nlohmann::json::accept(value)) {
        return AttrValueError(name, "must be a JSON document");
      }
      next.passthrough[name] = value;
    } else if (name == "SqsManagedSseEnabled") {
      if (value != "true" && value != "false") return AttrValueError(name, "must be true or false");
      next.passthrough[name] = value;
    } else {
      return InvalidArgument("Unknown or read-only attribute " + name, "InvalidAttributeName");
    }
  }
  *config = std::move(next);
  return Status::Ok();
}

QueueAttributes ConfigToAttributes(const QueueConfig& config) {
  QueueAttributes out = config.passthrough;
  out["VisibilityTimeout"] = std::to_string(config.visibility_timeout);
  out["DelaySeconds"] = std::to_string(config.delay_seconds);
  out["MaximumMessageSize"] = std::to_string(config.maximum_message_size);
  out["MessageRetentionPeriod"] = std::to_string(config.message_retention_period);
  out["ReceiveMessageWaitTimeSeconds"] = std::to_string(config.receive_message_wait_time_seconds);
  if (config.redrive_policy) out["RedrivePolicy"] = RedrivePolicyJson(*config.redrive_policy);
  return out;
}

std::string PassthroughToJson(const std::map<std::string, std::string>& passthrough) {
  return nlohmann::json(passthrough).dump();
}

std::map<std::string, std::string> PassthroughFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string() && PassthroughNames().count(key)) out[key] = value.get<std::string>();
  }
  return out;
}

std::string QueueArn(std::string_view region, std::string_view name) {
  return "arn:aws:sqs:" + std::string(region) + ":" + std::string(kLocalAccountId) + ":" +
         std::string(name);
}

const std::vector<std::string>& KnownQueueAttributeNames() {
  static const std::vector<std::string> kNames = {
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
      "ApproximateAgeOfOldestMessage",
      "CreatedTimestamp",
      "LastModifiedTimestamp",
      "QueueArn",
      "VisibilityTimeout",
      "DelaySeconds",
      "MaximumMessageSize",
      "MessageRetentionPeriod",
      "ReceiveMessageWaitTimeSeconds",
      "RedrivePolicy",
      "Policy",
      "RedriveAllowPolicy",
      "SqsManagedSseEnabled",
  };
  return kNames;
}

Status ValidateRequestedAttributeNames(const std::vector<std::string>& names) {
  const auto& known = KnownQueueAttributeNames();
  for (const std::string& n : names) {
    if (n != "All" && std::find(known.begin(), known.end(), n) == known.end()) {
      return InvalidArgument("Unknown Attribute " + n, "InvalidAttributeName");
    }
  }
  return Status::Ok();
}

bool AttributeRequested(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == "All" || n == name) return true;
  }
  return false;
}

}  // namespace mlw::queue
