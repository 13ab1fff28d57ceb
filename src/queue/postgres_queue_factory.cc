// Registration of the postgresql:// and postgres:// queue URLs with the queue factory.
#include <cctype>

#include "queue/postgres_queue.h"
#include "queue/queue_factory.h"

namespace mlw::queue {
namespace {

std::string PercentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

void RegisterPostgresQueueBackend() {
  RegisterQueueBackend(
      {"postgresql", "postgres"},
      [](const QueueUrl& url, const QueueFactoryOptions& factory) -> Result<OpenedQueue> {
        // The factory has split and decoded the URL; rebuild it (without ?queue=) for the
        // PostgreSQL URL parser, which names every problem in it.
        std::string rebuilt = url.scheme + "://" + url.rest;
        std::string default_queue;
        PostgresQueueOptions options;
        char sep = '?';
        for (const auto& [key, value] : url.query) {
          if (key == "queue") {
            default_queue = value;
            continue;
          }
          if (key == "durable_acks") {
            if (value != "true" && value != "false") {
              return InvalidArgument(
                  "queue URL parameter durable_acks=\"" + value + "\": expected true or false",
                  "InvalidQueueUrl");
            }
            options.durable_acks = value == "true";
            continue;
          }
          rebuilt += sep + PercentEncode(key) + "=" + PercentEncode(value);
          sep = '&';
        }
        if (!default_queue.empty()) MLW_RETURN_IF_ERROR(ValidateQueueName(default_queue));
        options.url = rebuilt;
        options.region = factory.region;
        MLW_ASSIGN_OR_RETURN(std::unique_ptr<PostgresQueueService> service,
                             PostgresQueueService::Open(options, *factory.clock));
        return OpenedQueue{std::move(service), default_queue};
      });
}

}  // namespace mlw::queue
