#include "queue/sqs_queue_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "queue/aws_credentials_profile.h"
#include "queue/message_md5.h"
#include "queue/queue_factory.h"
#include "queue/sqs_queue_service_codec.h"

namespace mlw::queue {
namespace {

using nlohmann::json;

bool IsFifo(const std::string& name) {
  return name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
}

// The last path segment of a queue URL.
std::string NameOfUrl(const std::string& url) {
  std::string u = url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u.substr(u.rfind('/') + 1);
}

class SqsQueueService final : public QueueService {
 public:
  SqsQueueService(const SqsOptions& options, SqsUrl url, std::string region,
                  std::shared_ptr<CredentialsProvider> credentials)
      : client_(SqsClientOptions{url, std::move(region), std::move(credentials), options.http,
                                 options.retry, options.clock, options.sleep, 0}),
        clock_(options.clock != nullptr ? *options.clock : SystemClock::Default()),
        sleep_(options.sleep),
        move_poll_ms_(options.move_task_poll_ms),
        move_timeout_s_(options.move_task_timeout_seconds) {
    if (!url.queue_name.empty()) urls_[url.queue_name] = options.queue_url;
  }

  Status CreateQueue(const std::string& name, const QueueAttributes& attributes) override {
    json req = {{"QueueName", name}};
    if (!attributes.empty()) req["Attributes"] = attributes;
    MLW_ASSIGN_OR_RETURN(json resp, client_.Call("CreateQueue", req));
    std::string url = resp.value("QueueUrl", "");
    if (url.empty()) return Internal("SQS CreateQueue returned no QueueUrl", "InvalidResponse");
    Remember(name, url);
    return Status::Ok();
  }

  Status DeleteQueue(const std::string& name) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(name));
    Status s = Checked(name, client_.Call("DeleteQueue", {{"QueueUrl", url}})).status();
    Forget(name);
    return s;
  }

  Result<std::vector<std::string>> ListQueues(const std::string& prefix) override {
    std::vector<std::string> names;
    std::string token;
    do {
      json req = {{"MaxResults", 1000}};
      if (!prefix.empty()) req["QueueNamePrefix"] = prefix;
      if (!token.empty()) req["NextToken"] = token;
      MLW_ASSIGN_OR_RETURN(json resp, client_.Call("ListQueues", req));
      for (const std::string& url : StringArray(resp, "QueueUrls")) {
        names.push_back(NameOfUrl(url));
        Remember(names.back(), url);
      }
      token = resp.value("NextToken", "");
    } while (!token.empty());
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<QueueAttributes> GetQueueAttributes(const std::string& name,
                                             const std::vector<std::string>& names) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(name));
    json req = {{"QueueUrl", url},
                {"AttributeNames", names.empty() ? std::vector<std::string>{"All"} : names}};
    MLW_ASSIGN_OR_RETURN(json resp, Checked(name, client_.Call("GetQueueAttributes", req)));
    QueueAttributes out;
    if (resp.contains("Attributes") && resp["Attributes"].is_object()) {
      for (const auto& [k, v] : resp["Attributes"].items()) {
        out[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    return out;
  }

  Status SetQueueAttributes(const std::string& name, const QueueAttributes& attributes) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(name));
    json req = {{"QueueUrl", url}, {"Attributes", attributes}};
    return Checked(name, client_.Call("SetQueueAttributes", req)).status();
  }

  Result<BatchOutcome<SendResult>> SendMessageBatch(
      const std::string& queue, const std::vector<SendEntry>& entries) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(queue));
    json req = {{"QueueUrl", url}, {"Entries", EncodeSendEntries(entries, IsFifo(queue))}};
    MLW_ASSIGN_OR_RETURN(json resp, Checked(queue, client_.Call("SendMessageBatch", req)));
    return DecodeSendOutcome(resp, entries);
  }

  Result<std::vector<Message>> ReceiveMessage(const std::string& queue,
                                              const ReceiveOptions& options) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(queue));
    json req = {{"QueueUrl", url},
                {"MaxNumberOfMessages", options.max_messages},
                {"MessageAttributeNames", {"All"}},
                {"MessageSystemAttributeNames", {"All"}},
                // The pre-2024 name of MessageSystemAttributeNames, for older compatible servers.
                {"AttributeNames", {"All"}}};
    if (options.wait_seconds) req["WaitTimeSeconds"] = *options.wait_seconds;
    if (options.visibility_timeout) req["VisibilityTimeout"] = *options.visibility_timeout;
    // Unset wait means the queue's own ReceiveMessageWaitTimeSeconds, at most 20 s.
    int64_t wait_ms = 1000LL * options.wait_seconds.value_or(kMaxWaitSeconds);
    MLW_ASSIGN_OR_RETURN(json resp,
                         Checked(queue, client_.Call("ReceiveMessage", req, wait_ms)));
    return DecodeMessages(resp);
  }

  Result<BatchOutcome<std::string>> DeleteMessageBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override {
    return HandleBatch(queue, "DeleteMessageBatch", entries, /*with_visibility=*/false);
  }

  Result<BatchOutcome<std::string>> ChangeMessageVisibilityBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override {
    return HandleBatch(queue, "ChangeMessageVisibilityBatch", entries, /*with_visibility=*/true);
  }

  Status PurgeQueue(const std::string& queue) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(queue));
    return Checked(queue, client_.Call("PurgeQueue", {{"QueueUrl", url}})).status();
  }

  Result<std::vector<std::string>> ListDeadLetterSourceQueues(
      const std::string& dead_letter_queue) override {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(dead_letter_queue));
    std::vector<std::string> names;
    std::string token;
    do {
      json req = {{"QueueUrl", url}, {"MaxResults", 1000}};
      if (!token.empty()) req["NextToken"] = token;
      MLW_ASSIGN_OR_RETURN(
          json resp, Checked(dead_letter_queue, client_.Call("ListDeadLetterSourceQueues", req)));
      // The JSON protocol spells this member "queueUrls"; accept the capitalised form too.
      for (const char* key : {"queueUrls", "QueueUrls"}) {
        for (const std::string& u : StringArray(resp, key)) names.push_back(NameOfUrl(u));
      }
      token = resp.value("NextToken", "");
    } while (!token.empty());
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<MoveTaskResult> StartMessageMoveTask(const std::string& dead_letter_queue,
                                              const std::string& destination) override;

  uint64_t AddAvailabilityListener(AvailabilityListener listener) override {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_[++next_listener_] = std::move(listener);
    return next_listener_;
  }
  void RemoveAvailabilityListener(uint64_t listener_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    listeners_.erase(listener_id);
  }

 private:
  void Remember(const std::string& name, const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    urls_[name] = url;
  }
  void Forget(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    urls_.erase(name);
  }

  Result<std::string> UrlOf(const std::string& name) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = urls_.find(name);
      if (it != urls_.end()) return it->second;
    }
    MLW_ASSIGN_OR_RETURN(json resp, client_.Call("GetQueueUrl", {{"QueueName", name}}));
    std::string url = resp.value("QueueUrl", "");
    if (url.empty()) return Internal("SQS GetQueueUrl returned no QueueUrl", "InvalidResponse");
    Remember(name, url);
    return url;
  }

  // Drops the cached URL of a queue that the server says is gone.
  Result<json> Checked(const std::string& name, Result<json> result) {
    if (!result.ok() && result.status().reason() == "QueueDoesNotExist") Forget(name);
    return result;
  }

  Result<BatchOutcome<std::string>> HandleBatch(const std::string& queue, const char* action,
                                                const std::vector<HandleEntry>& entries,
                                                bool with_visibility) {
    MLW_ASSIGN_OR_RETURN(std::string url, UrlOf(queue));
    json list = json::array();
    for (const HandleEntry& e : entries) {
      json entry = {{"Id", e.id}, {"ReceiptHandle", e.receipt_handle}};
      if (with_visibility) entry["VisibilityTimeout"] = e.visibility_timeout;
      list.push_back(std::move(entry));
    }
    MLW_ASSIGN_OR_RETURN(
        json resp, Checked(queue, client_.Call(action, {{"QueueUrl", url}, {"Entries", list}})));
    return DecodeIdOutcome(resp);
  }

  void Sleep(int64_t micros) {
    if (sleep_) {
      sleep_(micros);
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(micros));
    }
  }

  SqsClient client_;
  const Clock& clock_;
  const std::function<void(int64_t)> sleep_;
  const int64_t move_poll_ms_;
  const int64_t move_timeout_s_;
  std::mutex mu_;
  std::map<std::string, std::string> urls_;                     // GUARDED_BY(mu_)
  std::map<uint64_t, AvailabilityListener> listeners_;          // GUARDED_BY(mu_)
  uint64_t next_listener_ = 0;                                  // GUARDED_BY(mu_)
};

Result<MoveTaskResult> SqsQueueService::StartMessageMoveTask(const std::string& dead_letter_queue,
                                                             const std::string& destination) {
  auto arn_of = [this](const std::string& name) -> Result<std::string> {
    MLW_ASSIGN_OR_RETURN(QueueAttributes attrs, GetQueueAttributes(name, {"QueueArn"}));
    auto it = attrs.find("QueueArn");
    if (it == attrs.end() || it->second.empty()) {
      return Internal("SQS returned no QueueArn for " + name, "InvalidResponse");
    }
    return it->second;
  };
  MLW_ASSIGN_OR_RETURN(std::string source_arn, arn_of(dead_letter_queue));
  json req = {{"SourceArn", source_arn}};
  if (!destination.empty()) {
    MLW_ASSIGN_OR_RETURN(std::string dest_arn, arn_of(destination));
    req["DestinationArn"] = dest_arn;
  }
  MLW_ASSIGN_OR_RETURN(json started, client_.Call("StartMessageMoveTask", req));
  MoveTaskResult result;
  result.task_handle = started.value("TaskHandle", "");

  const int64_t deadline = clock_.NowMicros() + move_timeout_s_ * 1000000;
  while (true) {
    MLW_ASSIGN_OR_RETURN(json list, client_.Call("ListMessageMoveTasks",
                                                 {{"SourceArn", source_arn}, {"MaxResults", 10}}));
    Result<std::optional<MoveTaskResult>> done = DecodeMoveTaskStatus(list, result.task_handle);
    if (!done.ok()) return done.status();
    if (done->has_value()) {
      result.moved = (*done)->moved;
      return result;
    }
    if (clock_.NowMicros() >= deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "message move task " + result.task_handle + " from " + dead_letter_queue +
                        " still running after " + std::to_string(move_timeout_s_) + " s",
                    "Timeout");
    }
    Sleep(move_poll_ms_ * 1000);
  }
}

}  // namespace

SqsOptions SqsOptionsFor(const std::string& queue_url, const Environment& env) {
  SqsOptions options;
  options.queue_url = queue_url;
  options.region = EnvValue(env, "AWS_REGION");
  if (options.region.empty()) options.region = EnvValue(env, "AWS_DEFAULT_REGION");
  if (options.region.empty()) options.region = ProfileRegion(env).value_or("");
  options.credential_chain.environment = env;
  return options;
}

Result<std::string> SqsQueueNameFromUrl(const std::string& queue_url) {
  MLW_ASSIGN_OR_RETURN(SqsUrl url, ParseSqsUrl(queue_url));
  return url.queue_name;
}

Result<std::unique_ptr<QueueService>> OpenSqsQueueService(const SqsOptions& options) {
  MLW_ASSIGN_OR_RETURN(SqsUrl url, ParseSqsUrl(options.queue_url));
  std::string region = !url.region.empty() ? url.region : options.region;
  if (region.empty()) {
    if (url.IsAwsHost()) {
      return InvalidArgument("the AWS region of " + options.queue_url +
                             " is unknown: set AWS_REGION (e.g. us-east-1)");
    }
    region = "us-east-1";  // SQS-compatible servers accept any region in the signature scope
  }
  std::shared_ptr<CredentialsProvider> credentials = options.credentials;
  if (credentials == nullptr) {
    CredentialChainOptions chain = options.credential_chain;
    if (chain.clock == nullptr) chain.clock = options.clock;
    credentials = MakeDefaultCredentialChain(std::move(chain));
  }
  return std::unique_ptr<QueueService>(
      new SqsQueueService(options, std::move(url), std::move(region), std::move(credentials)));
}

void RegisterSqsQueueBackend() {
  RegisterQueueBackend({"http", "https"}, [](const QueueUrl& url,
                                             const QueueFactoryOptions& factory)
                                              -> Result<OpenedQueue> {
    std::string default_queue;
    for (const auto& [key, value] : url.query) {
      if (key != "queue") {
        return InvalidArgument("queue URL: unknown parameter '" + key +
                               "' for an SQS endpoint (only ?queue=<name>)");
      }
      default_queue = value;
    }
    SqsOptions options = SqsOptionsFor(url.scheme + "://" + url.rest, ProcessEnvironment());
    if (options.region.empty()) options.region = factory.region;
    options.clock = factory.clock;
    MLW_ASSIGN_OR_RETURN(SqsUrl parsed, ParseSqsUrl(options.queue_url));
    if (default_queue.empty()) default_queue = parsed.queue_name;
    MLW_ASSIGN_OR_RETURN(std::unique_ptr<QueueService> service, OpenSqsQueueService(options));
    return OpenedQueue{std::move(service), default_queue};
  });
}

}  // namespace mlw::queue
