#include "worker/handler_registry.h"

#include <limits>
#include <optional>
#include <utility>

#include "worker/flat_json_object.h"

namespace mlw::worker {
namespace {

constexpr const char* kBaseFields[] = {"job_type", "user_id", "priority"};

bool IsBaseField(const std::string& name) {
  for (const char* f : kBaseFields) {
    if (name == f) return true;
  }
  return false;
}

Status Invalid(std::string message, const char* reason) {
  return InvalidArgument(std::move(message), reason);
}

// The number of members written in `json`, which must be a valid JSON object: each member has
// exactly one ':' at nesting depth 1 outside strings. Counts duplicates, which the parsed object
// keeps only once.
size_t WrittenTopLevelMembers(std::string_view json) {
  size_t members = 0;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, which may be a quote
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ':' && depth == 1) {
      ++members;
    }
  }
  return members;
}

}  // namespace

Status RejectUnknownFields(const nlohmann::json& body, const std::vector<std::string>& allowed) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (IsBaseField(it.key())) continue;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == it.key();
    if (!ok) {
      std::string accepted = "job_type, user_id, priority";
      for (const auto& a : allowed) accepted += ", " + a;
      return Invalid("unexpected field '" + it.key() + "' (accepted: " + accepted + ")",
                     kReasonInvalidField);
    }
  }
  return Status::Ok();
}

Result<int64_t> PositiveIntField(const nlohmann::json& body, std::string_view field) {
  const char* reason = field == "user_id" ? kReasonInvalidUserId : kReasonInvalidField;
  auto it = body.find(field);
  // Messages are built only on failure: a valid field is the per-message case.
  if (it == body.end()) return Invalid("missing field '" + std::string(field) + "'", reason);
  auto want = [&] { return "'" + std::string(field) + "' must be a positive integer"; };
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v == 0) return Invalid(want() + ", got 0", reason);
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Invalid(want() + " no larger than 9223372036854775807", reason);
    }
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v <= 0) return Invalid(want() + ", got a negative number or zero", reason);
    return v;
  }
  if (it->is_number_float()) {
    return Invalid(want() + ", got a number with a fraction, an exponent or out of range", reason);
  }
  return Invalid(want() + ", got a JSON " + std::string(it->type_name()), reason);
}

Status HandlerRegistry::Register(const std::string& job_type, JobHandler handler,
                                 FieldValidator validator) {
  if (job_type.empty()) return InvalidArgument("job_type must not be empty");
  if (!handler) return InvalidArgument("handler for '" + job_type + "' is null");
  if (entries_.count(job_type)) {
    return Status(StatusCode::kAlreadyExists, "job_type '" + job_type + "' registered twice");
  }
  entries_[job_type] = Entry{std::move(handler), std::move(validator), nullptr};
  return Status::Ok();
}

Status HandlerRegistry::RegisterSweep(const std::string& job_type, PendingUsersFinder finder) {
  auto it = entries_.find(job_type);
  if (it == entries_.end()) {
    return FailedPrecondition("sweep for unregistered job_type '" + job_type + "'");
  }
  if (!finder) return InvalidArgument("sweep for '" + job_type + "' is null");
  it->second.sweep = std::move(finder);
  return Status::Ok();
}

std::optional<Job> HandlerRegistry::DecodeUsualTrigger(std::string_view body) const {
  FlatJsonObjectReader reader(body);
  std::optional<std::string_view> job_type, priority;
  std::optional<uint64_t> user_id;
  while (std::optional<FlatJsonMember> m = reader.Next()) {
    // A field of another type, a repeated field or any other field: the general path.
    if (m->key == "job_type" && m->is_string && !job_type) {
      job_type = m->string;
    } else if (m->key == "user_id" && !m->is_string && !user_id) {
      user_id = m->number;  // at most 18 digits: within int64_t
    } else if (m->key == "priority" && m->is_string && !priority) {
      priority = m->string;
    } else {
      return std::nullopt;
    }
  }
  if (!reader.ok() || !job_type || !user_id || *user_id == 0) return std::nullopt;
  auto entry = entries_.find(*job_type);
  if (entry == entries_.end() || entry->second.validator) return std::nullopt;
  Job job;
  if (priority) {
    std::optional<JobPriority> p = ParsePriority(*priority);
    if (!p) return std::nullopt;
    job.priority = *p;
  }
  job.job_type = entry->first;
  job.user_id = static_cast<int64_t>(*user_id);
  job.payload = JobPayload::FromText(std::string(body));
  return job;
}

Result<Job> HandlerRegistry::Decode(std::string_view body) const {
  if (std::optional<Job> job = DecodeUsualTrigger(body)) return std::move(*job);
  // Flat objects take the fast path, which has no duplicate keys by construction.
  std::optional<nlohmann::json> flat = ParseFlatJsonObject(body);
  nlohmann::json doc =
      flat ? std::move(*flat) : nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("body is not valid JSON", kReasonInvalidJson);
  if (!doc.is_object()) {
    return Invalid("body must be a JSON object, got " + std::string(doc.type_name()),
                   kReasonNotObject);
  }
  // Duplicate top-level keys would make the message ambiguous (which user_id?); nlohmann keeps
  // the last silently, so the members written are counted in the text. (Not with a parser
  // callback: that parser takes half as long again, and this runs for every message.)
  if (!flat && WrittenTopLevelMembers(body) != doc.size()) {
    return Invalid("body has a duplicate top-level field", kReasonInvalidField);
  }

  Job job;
  auto type_it = doc.find("job_type");
  if (type_it == doc.end()) return Invalid("missing field 'job_type'", kReasonUnknownJobType);
  if (!type_it->is_string()) {
    return Invalid("'job_type' must be a string", kReasonUnknownJobType);
  }
  job.job_type = type_it->get_ref<const std::string&>();
  auto entry = entries_.find(job.job_type);
  if (entry == entries_.end()) {
    std::string known;
    for (const auto& [name, e] : entries_) known += (known.empty() ? "" : ", ") + name;
    // The unknown name is not echoed: it is free text from the sender.
    return Invalid("unknown job_type (known: " + known + ")", kReasonUnknownJobType);
  }

  MLW_ASSIGN_OR_RETURN(job.user_id, PositiveIntField(doc, "user_id"));

  auto prio = doc.find("priority");
  if (prio != doc.end()) {
    std::optional<JobPriority> p;  // not a string: none of the names
    if (prio->is_string()) p = ParsePriority(prio->get_ref<const std::string&>());
    if (!p) return Invalid("'priority' must be one of low, normal, high", kReasonInvalidPriority);
    job.priority = *p;
  }

  // Without a validator only the base fields are allowed; job_type and user_id are there, so a
  // size that counts no more than those needs no look at the keys.
  const size_t base_fields = 2 + (prio != doc.end() ? 1 : 0);
  Status fields = entry->second.validator     ? entry->second.validator(doc)
                  : doc.size() == base_fields ? Status::Ok()
                                              : RejectUnknownFields(doc, {});
  if (!fields.ok()) {
    return Invalid(fields.message(),
                   fields.reason().empty() ? kReasonInvalidField : fields.reason().c_str());
  }
  job.payload = std::move(doc);
  return job;
}

const JobHandler* HandlerRegistry::FindHandler(const std::string& job_type) const {
  auto it = entries_.find(job_type);
  return it == entries_.end() ? nullptr : &it->second.handler;
}

std::vector<HandlerRegistry::Sweep> HandlerRegistry::Sweeps() const {
  std::vector<Sweep> out;
  for (const auto& [name, e] : entries_) {
    if (e.sweep) out.push_back(Sweep{name, e.sweep});
  }
  return out;
}

std::vector<std::string> HandlerRegistry::JobTypes() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

}  // namespace mlw::worker
