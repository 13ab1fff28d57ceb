// `mlworker queue …`: administration of the queues behind a queue URL (any backend the factory
// knows). Output is human-readable by default and one JSON document with --json. Exit codes: 0 ok,
// 1 the operation failed (the message names the SQS error), 2 usage error.
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "queue/queue_factory.h"
#include "queue/queue_validation.h"

namespace mlw::cli {
namespace {

using nlohmann::json;
using queue::QueueService;

constexpr const char* kDefaultQueueUrl = "sqlite://./mlworker-data/queue.db";
constexpr const char* kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct QueueCliOptions {
  std::string url = kDefaultQueueUrl;
  std::string region = "us-east-1";
  bool json = false;
  std::string queue;  // positional, when the command takes one
  // create
  std::vector<std::string> attributes;  // K=V
  std::string dlq;
  int max_receive_count = 0;
  // list
  std::string prefix;
  // send
  std::string body;
  std::string body_file;
  int delay = -1;
  std::vector<std::string> message_attributes;  // name=Type:value
  std::string dedup_id;
  // receive, dlq
  int max = 1;
  int wait = 0;
  int visibility = -1;
  bool delete_after = false;
  // delete
  std::vector<std::string> handles;
  // redrive
  std::string destination;
};

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "mlworker queue: " << message << "\n";
  throw CommandExit{2};
}

[[noreturn]] void OperationError(const Status& status) {
  std::cerr << "mlworker queue: " << status.ToString() << "\n";
  throw CommandExit{1};
}

void Check(const Status& status) {
  if (!status.ok()) OperationError(status);
}

std::string Base64Encode(const std::string& bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kBase64[(acc << (6 - bits)) & 0x3f]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::optional<std::string> Base64Decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t end = text.find_last_not_of('=');
  for (size_t i = 0; end != std::string::npos && i <= end; ++i) {
    const char* p = std::strchr(kBase64, text[i]);
    if (p == nullptr || text[i] == '\0') return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// Opens the URL's backend and names the queue to work on: the positional argument, else the URL's
// ?queue=. `need_queue` false for commands on all queues.
struct Target {
  std::unique_ptr<QueueService> service;
  std::string queue;
};

Target Open(const QueueCliOptions& o, bool need_queue) {
  queue::QueueFactoryOptions factory_options;
  factory_options.region = o.region;
  Result<queue::OpenedQueue> opened = queue::OpenQueueService(o.url, factory_options);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kInvalidArgument) UsageError(opened.status().message());
    OperationError(opened.status());
  }
  Target t{std::move(opened->service), o.queue.empty() ? opened->default_queue : o.queue};
  if (need_queue && t.queue.empty()) {
    UsageError("no queue given: pass it as an argument or in the URL (…/queue.db?queue=<name>)");
  }
  if (!t.queue.empty() && !queue::ValidateQueueName(t.queue).ok()) {
    UsageError(queue::ValidateQueueName(t.queue).message());
  }
  return t;
}

json MessageJson(const queue::Message& m) {
  json attrs = json::object();
  for (const auto& [name, a] : m.attributes) {
    json v = {{"data_type", a.data_type}};
    if (a.data_type.rfind("Binary", 0) == 0) {
      v["binary_value"] = Base64Encode(a.binary_value);
    } else {
      v["string_value"] = a.string_value;
    }
    attrs[name] = v;
  }
  return {{"message_id", m.message_id},
          {"receipt_handle", m.receipt_handle},
          {"body", m.body},
          {"md5_of_body", m.md5_of_body},
          {"receive_count", m.receive_count},
          {"sent_timestamp_ms", m.sent_timestamp_ms},
          {"first_receive_timestamp_ms", m.first_receive_timestamp_ms},
          {"attributes", attrs}};
}

void PrintMessages(const QueueCliOptions& o, const std::string& queue,
                   const std::vector<queue::Message>& messages) {
  if (o.json) {
    json list = json::array();
    for (const auto& m : messages) list.push_back(MessageJson(m));
    std::cout << json{{"queue", queue}, {"messages", list}}.dump() << "\n";
    return;
  }
  if (messages.empty()) std::cout << "no messages available in " << queue << "\n";
  for (const auto& m : messages) {
    std::cout << "message " << m.message_id << " (received " << m.receive_count << "x, sent "
              << m.sent_timestamp_ms << ")\n  receipt handle: " << m.receipt_handle
              << "\n  body: " << m.body << "\n";
  }
}

queue::QueueAttributes ParseKeyValues(const std::vector<std::string>& pairs) {
  queue::QueueAttributes out;
  for (const std::string& kv : pairs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) UsageError("expected NAME=VALUE, got '" + kv + "'");
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

queue::MessageAttributes ParseMessageAttributes(const std::vector<std::string>& specs) {
  queue::MessageAttributes out;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    size_t colon = eq == std::string::npos ? std::string::npos : spec.find(':', eq);
    if (eq == std::string::npos || colon == std::string::npos) {
      UsageError("message attribute must be NAME=TYPE:VALUE (TYPE String, Number or Binary with a "
                 "base64 value), got '" + spec + "'");
    }
    queue::MessageAttribute a;
    a.data_type = spec.substr(eq + 1, colon - eq - 1);
    std::string value = spec.substr(colon + 1);
    if (a.data_type.rfind("Binary", 0) == 0) {
      std::optional<std::string> bytes = Base64Decode(value);
      if (!bytes) UsageError("attribute '" + spec.substr(0, eq) + "': value is not base64");
      a.binary_value = *bytes;
    } else {
      a.string_value = value;
    }
    out[spec.substr(0, eq)] = a;
  }
  return out;
}

// The dead-letter queue of `queue`: its RedrivePolicy target, or `queue` itself when it is some
// queue's dead-letter queue.
std::string ResolveDeadLetterQueue(QueueService& service, const std::string& queue) {
  Result<queue::QueueAttributes> attrs = service.GetQueueAttributes(queue, {"RedrivePolicy"});
  Check(attrs.status());
  auto it = attrs->find("RedrivePolicy");
  if (it != attrs->end() && !it->second.empty()) {
    Result<queue::RedrivePolicy> policy = queue::ParseRedrivePolicy(it->second);
    Check(policy.status());
    return policy->dead_letter_queue;
  }
  Result<std::vector<std::string>> sources = service.ListDeadLetterSourceQueues(queue);
  Check(sources.status());
  if (!sources->empty()) return queue;
  UsageError("queue " + queue + " has no RedrivePolicy and is no queue's dead-letter queue");
}

void RunCreate(const QueueCliOptions& o) {
  Target t = Open(o, true);
  queue::QueueAttributes attrs = ParseKeyValues(o.attributes);
  if (!o.dlq.empty()) {
    if (o.max_receive_count <= 0) UsageError("--dlq needs --max-receive-count N (1..1000)");
    // The dead-letter queue is created first (with defaults) so the policy can name it.
    Check(t.service->CreateQueue(o.dlq, {}));
    attrs["RedrivePolicy"] = queue::RedrivePolicyJson(
        {o.dlq, queue::QueueArn(o.region, o.dlq), o.max_receive_count});
  }
  Check(t.service->CreateQueue(t.queue, attrs));
  if (o.json) {
    std::cout << json{{"queue", t.queue}, {"created", true}}.dump() << "\n";
  } else {
    std::cout << "queue " << t.queue << " ready\n";
  }
}

void RunList(const QueueCliOptions& o) {
  Target t = Open(o, false);
  Result<std::vector<std::string>> names = t.service->ListQueues(o.prefix);
  Check(names.status());
  if (o.json) {
    std::cout << json{{"queues", *names}}.dump() << "\n";
  } else {
    for (const auto& n : *names) std::cout << n << "\n";
  }
}

void RunSend(const QueueCliOptions& o) {
  if (!o.body.empty() && !o.body_file.empty()) UsageError("give --body or --body-file, not both");
  std::string body = o.body;
  if (!o.body_file.empty()) {
    std::ifstream in_file;
    if (o.body_file != "-") {
      in_file.open(o.body_file, std::ios::binary);
      if (!in_file) UsageError("cannot read " + o.body_file);
    }
    std::istream& in = o.body_file == "-" ? std::cin : in_file;
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (body.empty()) UsageError("the message body is empty: use --body TEXT or --body-file PATH|-");
  Target t = Open(o, true);
  queue::SendEntry entry;
  entry.body = body;
  if (o.delay >= 0) entry.delay_seconds = o.delay;
  entry.attributes = ParseMessageAttributes(o.message_attributes);
  entry.deduplication_id = o.dedup_id;
  Result<queue::SendResult> sent = t.service->SendMessage(t.queue, entry);
  Check(sent.status());
  if (o.json) {
    std::cout << json{{"queue", t.queue},
                      {"message_id", sent->message_id},
                      {"md5_of_body", sent->md5_of_body}}
                     .dump()
              << "\n";
  } else {
    std::cout << sent->message_id << "\n";
  }
}

void RunReceive(const QueueCliOptions& o) {
  Target t = Open(o, true);
  queue::ReceiveOptions options;
  options.max_messages = o.max;
  options.wait_seconds = o.wait;
  if (o.visibility >= 0) options.visibility_timeout = o.visibility;
  Result<std::vector<queue::Message>> got = t.service->ReceiveMessage(t.queue, options);
  Check(got.status());
  if (o.delete_after) {
    for (const auto& m : *got) Check(t.service->DeleteMessage(t.queue, m.receipt_handle));
  }
  PrintMessages(o, t.queue, *got);
}

void RunDelete(const QueueCliOptions& o) {
  Target t = Open(o, true);
  if (o.handles.empty()) UsageError("give at least one receipt handle");
  std::vector<queue::HandleEntry> entries;
  json results = json::array();
  int failures = 0;
  // Batches of at most 10, as the API allows.
  for (size_t i = 0; i < o.handles.size(); i += queue::kMaxBatchEntries) {
    entries.clear();
    for (size_t j = i; j < std::min(o.handles.size(), i + queue::kMaxBatchEntries); ++j) {
      entries.push_back({std::to_string(j), o.handles[j], 0});
    }
    Result<queue::BatchOutcome<std::string>> out = t.service->DeleteMessageBatch(t.queue, entries);
    Check(out.status());
    for (const auto& id : out->successful) {
      results.push_back({{"receipt_handle", o.handles[std::stoul(id)]}, {"deleted", true}});
    }
    for (const auto& e : out->failed) {
      ++failures;
      results.push_back({{"receipt_handle", o.handles[std::stoul(e.id)]},
                         {"deleted", false},
                         {"error", e.code},
                         {"message", e.message}});
      if (!o.json) std::cerr << "mlworker queue: " << e.code << ": " << e.message << "\n";
    }
  }
  if (o.json) std::cout << json{{"queue", t.queue}, {"results", results}}.dump() << "\n";
  if (!o.json && failures == 0) std::cout << "deleted " << o.handles.size() << " message(s)\n";
  if (failures > 0) throw CommandExit{1};
}

void RunStats(const QueueCliOptions& o) {
  Target t = Open(o, false);
  std::vector<std::string> queues;
  if (!t.queue.empty()) {
    queues.push_back(t.queue);
  } else {
    Result<std::vector<std::string>> names = t.service->ListQueues("");
    Check(names.status());
    queues = *names;
  }
  json all = json::object();
  for (const std::string& q : queues) {
    Result<queue::QueueAttributes> attrs = t.service->GetQueueAttributes(q, {"All"});
    Check(attrs.status());
    if (o.json) {
      all[q] = *attrs;
      continue;
    }
    std::cout << q << ": visible=" << attrs->at("ApproximateNumberOfMessages")
              << " in_flight=" << attrs->at("ApproximateNumberOfMessagesNotVisible")
              << " delayed=" << attrs->at("ApproximateNumberOfMessagesDelayed")
              << " oldest_age_s=" << attrs->at("ApproximateAgeOfOldestMessage") << "\n";
    for (const auto& [k, v] : *attrs) {
      if (k.rfind("Approximate", 0) != 0) std::cout << "  " << k << " = " << v << "\n";
    }
  }
  if (o.json) std::cout << all.dump() << "\n";
}

void RunDlq(const QueueCliOptions& o) {
  Target t = Open(o, true);
  const std::string dlq = ResolveDeadLetterQueue(*t.service, t.queue);
  // A receive with visibility 0 peeks without hiding the messages; it does count as a receive
  // (ApproximateReceiveCount of the dead-lettered message goes up by one).
  queue::ReceiveOptions options;
  options.max_messages = o.max;
  options.wait_seconds = 0;
  options.visibility_timeout = 0;
  Result<std::vector<queue::Message>> got = t.service->ReceiveMessage(dlq, options);
  Check(got.status());
  Result<queue::QueueAttributes> attrs =
      t.service->GetQueueAttributes(dlq, {"ApproximateNumberOfMessages"});
  Check(attrs.status());
  if (o.json) {
    json list = json::array();
    for (const auto& m : *got) list.push_back(MessageJson(m));
    std::cout << json{{"dead_letter_queue", dlq},
                      {"approximate_number_of_messages",
                       std::stoll(attrs->at("ApproximateNumberOfMessages"))},
                      {"messages", list}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << "dead-letter queue " << dlq << ": about "
            << attrs->at("ApproximateNumberOfMessages") << " message(s)\n";
  PrintMessages(o, dlq, *got);
}

void RunRedrive(const QueueCliOptions& o) {
  Target t = Open(o, true);
  const std::string dlq = ResolveDeadLetterQueue(*t.service, t.queue);
  Result<queue::MoveTaskResult> moved = t.service->StartMessageMoveTask(dlq, o.destination);
  Check(moved.status());
  if (o.json) {
    std::cout << json{{"dead_letter_queue", dlq},
                      {"task_handle", moved->task_handle},
                      {"moved", moved->moved}}
                     .dump()
              << "\n";
  } else {
    std::cout << "moved " << moved->moved << " message(s) out of " << dlq << "\n";
  }
}

void RunPurge(const QueueCliOptions& o) {
  Target t = Open(o, true);
  Check(t.service->PurgeQueue(t.queue));
  if (o.json) {
    std::cout << json{{"queue", t.queue}, {"purged", true}}.dump() << "\n";
  } else {
    std::cout << "purged " << t.queue << "\n";
  }
}

}  // namespace

void AddQueueCommand(CLI::App& app) {
  auto o = std::make_shared<QueueCliOptions>();
  CLI::App* cmd = app.add_subcommand("queue", "Administer queues: create, list, send, receive, "
                                              "delete, stats, dlq, redrive, purge");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // --queue-url and --json also work after the subcommand
  cmd->add_option("--queue-url", o->url,
                  "Queue backend URL: sqlite:///path/queue.db[?queue=<name>], postgresql://…, "
                  "http(s)://…/<account>/<queue>")
      ->envname("ML_WORKER_SQS_QUEUE_URL")
      ->capture_default_str();
  cmd->add_option("--region", o->region, "Region written into queue ARNs")
      ->envname("AWS_REGION")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON document instead of text");

  auto add = [&](const char* name, const char* help, void (*run)(const QueueCliOptions&),
                 bool queue_arg) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    if (queue_arg) sub->add_option("queue", o->queue, "Queue name (default: the URL's ?queue=)");
    sub->callback([o, run] { run(*o); });
    return sub;
  };

  CLI::App* create = add("create", "Create a queue (idempotent for equal attributes)", RunCreate, true);
  create->add_option("--attribute,-a", o->attributes, "Queue attribute NAME=VALUE, repeatable");
  create->add_option("--dlq", o->dlq, "Create this dead-letter queue and attach it");
  create->add_option("--max-receive-count", o->max_receive_count,
                     "Receives before a message moves to the --dlq")
      ->check(CLI::Range(1, queue::kMaxReceiveCountLimit));

  CLI::App* list = add("list", "List queues", RunList, false);
  list->add_option("--prefix", o->prefix, "Only names starting with this");

  CLI::App* send = add("send", "Send one message; prints its message id", RunSend, true);
  send->add_option("--body,-b", o->body, "Message body");
  send->add_option("--body-file", o->body_file, "Read the body from a file ('-' for stdin)");
  send->add_option("--delay", o->delay, "DelaySeconds")->check(CLI::Range(0, queue::kMaxDelaySeconds));
  send->add_option("--attribute,-a", o->message_attributes,
                   "Message attribute NAME=TYPE:VALUE (Binary values in base64), repeatable");
  send->add_option("--dedup-id", o->dedup_id, "Deduplication id (5-minute window)");

  CLI::App* receive = add("receive", "Receive messages (they become invisible for the visibility "
                                     "timeout unless --delete)", RunReceive, true);
  receive->add_option("--max,-n", o->max, "Messages to receive")
      ->check(CLI::Range(1, queue::kMaxBatchEntries));
  receive->add_option("--wait", o->wait, "Long-poll seconds")
      ->check(CLI::Range(0, queue::kMaxWaitSeconds));
  receive->add_option("--visibility", o->visibility, "Visibility timeout seconds for this receive")
      ->check(CLI::Range(0, queue::kMaxVisibilityTimeoutSeconds));
  receive->add_flag("--delete", o->delete_after, "Delete what was received");

  CLI::App* del = add("delete", "Delete messages by receipt handle", RunDelete, false);
  del->add_option("--queue", o->queue, "Queue name (default: the URL's ?queue=)");
  del->add_option("receipt-handles", o->handles, "Receipt handles")->required();

  add("stats", "Queue attributes and message counts (all queues when none is named)", RunStats,
      true);

  CLI::App* dlq = add("dlq", "Peek at a queue's dead-letter messages (a receive with visibility "
                             "0: nothing is hidden or deleted)", RunDlq, true);
  dlq->add_option("--max,-n", o->max, "Messages to show")
      ->check(CLI::Range(1, queue::kMaxBatchEntries));

  CLI::App* redrive = add("redrive", "Move a queue's dead-letter messages back to their source "
                                     "queues (StartMessageMoveTask)", RunRedrive, true);
  redrive->add_option("--to", o->destination, "Move them here instead of their source queues");

  add("purge", "Delete every message of a queue (once per 60 s)", RunPurge, true);
}

}  // namespace mlw::cli
