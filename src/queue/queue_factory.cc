#include "queue/queue_factory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>

#include "queue/queue_validation.h"
#include "queue/sqlite_queue.h"

namespace mlw::queue {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, QueueBackendFactory> factories;
};

Result<OpenedQueue> OpenSqlite(const QueueUrl& url, const QueueFactoryOptions& options);

Registry& GetRegistry() {
  static Registry* registry = [] {
    auto* r = new Registry;
    r->factories["sqlite"] = OpenSqlite;
    return r;
  }();
  return *registry;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes, and '+' as a space when `plus_is_space` (query strings only).
Result<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return InvalidArgument("queue URL: truncated percent escape in '" + std::string(s) + "'");
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return InvalidArgument("queue URL: bad percent escape in '" + std::string(s) + "'");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<OpenedQueue> OpenSqlite(const QueueUrl& url, const QueueFactoryOptions& options) {
  SqliteQueueOptions sqlite;
  MLW_ASSIGN_OR_RETURN(sqlite.path, PercentDecode(url.rest, false));
  if (sqlite.path.empty()) {
    return InvalidArgument("queue URL: sqlite:// needs a file path, e.g. "
                           "sqlite:///var/lib/mlworker/queue.db or sqlite://./data/queue.db");
  }
  sqlite.region = options.region;
  for (const auto& [key, value] : url.query) {
    if (key == "queue") continue;
    if (key == "sync") {
      if (value != "full" && value != "normal") {
        return InvalidArgument("queue URL: sync must be 'full' or 'normal', got '" + value + "'");
      }
      sqlite.sync_full = value == "full";
      continue;
    }
    return InvalidArgument("queue URL: unknown sqlite parameter '" + key +
                           "' (accepted: queue, sync)");
  }
  std::filesystem::path parent = std::filesystem::path(sqlite.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return InvalidArgument("queue URL: cannot create directory " + parent.string() + ": " +
                           ec.message());
  }
  MLW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteQueueService> service,
                       SqliteQueueService::Open(sqlite, *options.clock));
  OpenedQueue opened;
  opened.service = std::move(service);
  return opened;
}

}  // namespace

Result<QueueUrl> ParseQueueUrl(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos || sep == 0) {
    return InvalidArgument("queue URL '" + url + "' has no scheme; use sqlite:///path/queue.db, "
                           "postgresql://user@host/db or http(s)://host/<account>/<queue>");
  }
  QueueUrl out;
  out.scheme = url.substr(0, sep);
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string rest = url.substr(sep + 3);
  size_t q = rest.find('?');
  out.rest = rest.substr(0, q);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(rest).substr(q + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      MLW_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq), true));
      std::string value;
      if (eq != std::string_view::npos) {
        MLW_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), true));
      }
      out.query[key] = value;
    }
  }
  return out;
}

void RegisterQueueBackend(const std::vector<std::string>& schemes, QueueBackendFactory factory) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const std::string& s : schemes) r.factories[s] = factory;
}

Result<OpenedQueue> OpenQueueService(const std::string& url, const QueueFactoryOptions& options) {
  MLW_ASSIGN_OR_RETURN(QueueUrl parsed, ParseQueueUrl(url));
  QueueBackendFactory factory;
  std::string known;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.factories.find(parsed.scheme);
    if (it != r.factories.end()) factory = it->second;
    for (const auto& [scheme, f] : r.factories) known += (known.empty() ? "" : ", ") + scheme + "://";
  }
  if (!factory) {
    return InvalidArgument("queue URL scheme '" + parsed.scheme + "://' is not supported by this "
                           "build (available: " + known + "). Accepted forms: "
                           "sqlite:///abs/path/queue.db or sqlite://relative/path/queue.db, "
                           "postgresql://user:pass@host:5432/db, "
                           "http(s)://host[:port]/<account>/<queue> (an SQS endpoint)");
  }
  auto queue_it = parsed.query.find("queue");
  std::string default_queue = queue_it == parsed.query.end() ? "" : queue_it->second;
  if (!default_queue.empty()) MLW_RETURN_IF_ERROR(ValidateQueueName(default_queue));
  MLW_ASSIGN_OR_RETURN(OpenedQueue opened, factory(parsed, options));
  // A backend may derive the queue from its URL (an SQS queue URL names one); ?queue= wins.
  if (!default_queue.empty()) opened.default_queue = default_queue;
  return opened;
}

}  // namespace mlw::queue
