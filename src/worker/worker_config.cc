#include "worker/worker_config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

namespace mlw::worker {
namespace {

enum class Kind { kInt, kBool, kString, kChoice };

struct Key {
  std::string name;  // TOML key and flag stem (underscores become dashes in the flag)
  std::string env;   // environment variable
  bool top_level;    // TOML key outside the [worker] table
  Kind kind;
  int64_t min = 0, max = 0;          // kInt
  std::vector<std::string> choices;  // kChoice
  std::string default_text;
  std::function<void(WorkerConfig&, const std::string& text, int64_t number, bool flag)> set;
};

std::string FlagName(const std::string& name) {
  std::string f = name;
  for (char& c : f) {
    if (c == '_') c = '-';
  }
  return f;
}

std::string Accepted(const Key& k) {
  switch (k.kind) {
    case Kind::kInt:
      return "an integer from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    case Kind::kBool:
      return "true or false (also 1/0, yes/no, on/off)";
    case Kind::kString:
      return "a non-empty string";
    case Kind::kChoice: {
      std::string out = "one of";
      for (size_t i = 0; i < k.choices.size(); ++i) out += (i ? ", " : " ") + k.choices[i];
      return out;
    }
  }
  return "";
}

std::vector<Key> Keys() {
  auto i = [](int WorkerOptions::*field) {
    return [field](WorkerConfig& c, const std::string&, int64_t n, bool) {
      c.runtime.*field = static_cast<int>(n);
    };
  };
  std::vector<Key> keys = {
      {"enabled",
       "ML_WORKER_ENABLED",
       false,
       Kind::kBool,
       0,
       0,
       {},
       "true",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) { c.enabled = n != 0; }},
      {"mode",
       "ML_WORKER_MODE",
       false,
       Kind::kChoice,
       0,
       0,
       {"sqs", "aggregation", "both"},
       "both",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) {
         c.runtime.mode = t == "sqs"           ? WorkerMode::kSqs
                          : t == "aggregation" ? WorkerMode::kAggregation
                                               : WorkerMode::kBoth;
       }},
      {"queue_url",
       "ML_WORKER_SQS_QUEUE_URL",
       false,
       Kind::kString,
       0,
       0,
       {},
       "sqlite://<data_dir>/queue.db",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.queue_url = t; }},
      {"queue_name",
       "ML_WORKER_QUEUE_NAME",
       false,
       Kind::kString,
       0,
       0,
       {},
       "ml-worker",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) {
         c.runtime.queues.queue_name = t;
       }},
      {"dlq_name",
       "ML_WORKER_DLQ_NAME",
       false,
       Kind::kString,
       0,
       0,
       {},
       "ml-worker-dlq",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) {
         c.runtime.queues.dead_letter_queue_name = t;
       }},
      {"create_queues",
       "ML_WORKER_CREATE_QUEUES",
       false,
       Kind::kBool,
       0,
       0,
       {},
       "true",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.runtime.queues.create_if_missing = n != 0;
       }},
      {"max_receive_count",
       "ML_WORKER_MAX_RECEIVE_COUNT",
       false,
       Kind::kInt,
       1,
       1000,
       {},
       "3",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.runtime.queues.max_receive_count = static_cast<int>(n);
       }},
      {"batch_size",
       "ML_WORKER_BATCH_SIZE",
       false,
       Kind::kInt,
       1,
       10,
       {},
       "10",
       i(&WorkerOptions::batch_size)},
      {"wait_time",
       "ML_WORKER_WAIT_TIME",
       false,
       Kind::kInt,
       0,
       20,
       {},
       "20",
       i(&WorkerOptions::wait_seconds)},
      {"visibility_timeout",
       "ML_WORKER_VISIBILITY_TIMEOUT",
       false,
       Kind::kInt,
       1,
       43200,
       {},
       "300",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.runtime.visibility_timeout_seconds = static_cast<int>(n);
         c.runtime.queues.visibility_timeout_seconds = static_cast<int>(n);
       }},
      {"concurrency",
       "ML_WORKER_CONCURRENCY",
       false,
       Kind::kInt,
       1,
       256,
       {},
       "4",
       i(&WorkerOptions::concurrency)},
      {"sweep_interval",
       "ML_WORKER_SWEEP_INTERVAL",
       false,
       Kind::kInt,
       1,
       86400,
       {},
       "30",
       i(&WorkerOptions::sweep_interval_seconds)},
      {"sweep_user_limit",
       "ML_WORKER_SWEEP_USER_LIMIT",
       false,
       Kind::kInt,
       1,
       1000000,
       {},
       "1000",
       i(&WorkerOptions::sweep_user_limit)},
      {"idle_exit",
       "ML_WORKER_IDLE_EXIT",
       false,
       Kind::kInt,
       0,
       86400,
       {},
       "0",
       i(&WorkerOptions::idle_exit_seconds)},
      {"shutdown_grace",
       "ML_WORKER_SHUTDOWN_GRACE",
       false,
       Kind::kInt,
       0,
       3600,
       {},
       "30",
       i(&WorkerOptions::shutdown_grace_seconds)},
      {"backoff_base",
       "ML_WORKER_BACKOFF_BASE",
       false,
       Kind::kInt,
       1,
       3600,
       {},
       "2",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.runtime.backoff.base_seconds = static_cast<int>(n);
       }},
      {"backoff_max",
       "ML_WORKER_BACKOFF_MAX",
       false,
       Kind::kInt,
       1,
       43200,
       {},
       "300",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.runtime.backoff.max_seconds = static_cast<int>(n);
       }},
      {"lease_wait",
       "ML_WORKER_LEASE_WAIT",
       false,
       Kind::kInt,
       0,
       3600,
       {},
       "30",
       i(&WorkerOptions::lease_wait_seconds)},
      {"lease_busy_delay",
       "ML_WORKER_LEASE_BUSY_DELAY",
       false,
       Kind::kInt,
       0,
       900,
       {},
       "5",
       i(&WorkerOptions::lease_busy_delay_seconds)},
      {"worker_id",
       "ML_WORKER_ID",
       false,
       Kind::kString,
       0,
       0,
       {},
       "<hostname>:<pid>:<random>",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.runtime.worker_id = t; }},
      {"metrics_address",
       "ML_WORKER_METRICS_ADDRESS",
       false,
       Kind::kString,
       0,
       0,
       {},
       "127.0.0.1",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.metrics_address = t; }},
      {"metrics_port",
       "ML_WORKER_METRICS_PORT",
       false,
       Kind::kInt,
       0,
       65535,
       {},
       "9464",
       [](WorkerConfig& c, const std::string&, int64_t n, bool) {
         c.metrics_port = static_cast<int>(n);
       }},
      {"data_dir",
       "MLW_DATA_DIR",
       true,
       Kind::kString,
       0,
       0,
       {},
       "mlworker-data",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.data_dir = t; }},
      {"database_url",
       "DATABASE_URL",
       true,
       Kind::kString,
       0,
       0,
       {},
       "sqlite://<data_dir>/mlworker.db",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.database_url = t; }},
      {"log_level",
       "MLW_LOG_LEVEL",
       true,
       Kind::kChoice,
       0,
       0,
       {"debug", "info", "warn", "error"},
       "info",
       [](WorkerConfig& c, const std::string& t, int64_t, bool) { c.log_level = t; }},
  };
  return keys;
}

// Parses `text` for key `k`; on failure names `where` (how the source spells the key).
Status ParseValue(const Key& k, const std::string& where, const std::string& text,
                  int64_t* number) {
  auto bad = [&] {
    return InvalidArgument("invalid configuration: " + where + " = \"" + text + "\": must be " +
                           Accepted(k));
  };
  switch (k.kind) {
    case Kind::kInt: {
      int64_t v = 0;
      auto res = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size() ||
          v < k.min || v > k.max) {
        return bad();
      }
      *number = v;
      return Status::Ok();
    }
    case Kind::kBool: {
      if (text == "true" || text == "1" || text == "yes" || text == "on") {
        *number = 1;
      } else if (text == "false" || text == "0" || text == "no" || text == "off") {
        *number = 0;
      } else {
        return bad();
      }
      return Status::Ok();
    }
    case Kind::kString:
      if (text.empty()) return bad();
      return Status::Ok();
    case Kind::kChoice:
      for (const auto& c : k.choices) {
        if (c == text) return Status::Ok();
      }
      return bad();
  }
  return bad();
}

// A TOML value as the text the other sources would give; nullopt for arrays and tables.
std::optional<std::string> TomlText(const toml::node& node) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_floating_point()) return std::to_string(*node.value<double>());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::vector<ConfigKeyInfo> WorkerConfigKeys() {
  std::vector<ConfigKeyInfo> out;
  for (const auto& k : Keys()) {
    out.push_back({"--" + FlagName(k.name), k.env, k.top_level ? k.name : "worker." + k.name,
                   Accepted(k), k.default_text});
  }
  return out;
}

Result<WorkerConfig> LoadWorkerConfig(const ConfigSources& sources) {
  const std::vector<Key> keys = Keys();
  for (const auto& [flag, value] : sources.flags) {
    bool known = false;
    for (const auto& k : keys) known = known || FlagName(k.name) == flag;
    if (!known) return InvalidArgument("invalid configuration: unknown flag --" + flag);
  }

  toml::table file;
  const toml::table* worker_table = nullptr;
  if (!sources.file.empty()) {
    try {
      file = toml::parse_file(sources.file);
    } catch (const toml::parse_error& e) {
      return InvalidArgument("invalid configuration file " + sources.file + ": " +
                             std::string(e.description()));
    }
    if (const toml::node* w = file.get("worker")) {
      worker_table = w->as_table();
      if (worker_table == nullptr) {
        return InvalidArgument("invalid configuration file " + sources.file +
                               ": 'worker' must be a table");
      }
      for (const auto& [name, node] : *worker_table) {
        bool known = false;
        for (const auto& k : keys) known = known || (!k.top_level && k.name == name.str());
        if (!known) {
          return InvalidArgument("invalid configuration file " + sources.file +
                                 ": unknown key worker." + std::string(name.str()));
        }
      }
    }
  }

  WorkerConfig config;
  for (const auto& k : keys) {
    std::optional<std::string> text;
    std::string where;
    bool from_flag = false;
    if (auto f = sources.flags.find(FlagName(k.name)); f != sources.flags.end()) {
      text = f->second;
      where = "--" + FlagName(k.name);
      from_flag = true;
    } else if (auto e = sources.env ? sources.env(k.env) : std::nullopt; e) {
      text = *e;
      where = k.env + " (environment)";
    } else {
      const toml::node* node = k.top_level    ? file.get(k.name)
                               : worker_table ? worker_table->get(k.name)
                                              : nullptr;
      if (node != nullptr) {
        where = (k.top_level ? k.name : "worker." + k.name) + " in " + sources.file;
        text = TomlText(*node);
        if (!text) {
          return InvalidArgument("invalid configuration: " + where + ": must be " + Accepted(k));
        }
      }
    }
    if (!text) continue;
    int64_t number = 0;
    MLW_RETURN_IF_ERROR(ParseValue(k, where, *text, &number));
    k.set(config, *text, number, from_flag);
  }

  if (config.runtime.backoff.base_seconds > config.runtime.backoff.max_seconds) {
    return InvalidArgument("invalid configuration: backoff_base (" +
                           std::to_string(config.runtime.backoff.base_seconds) +
                           ") must not exceed backoff_max (" +
                           std::to_string(config.runtime.backoff.max_seconds) + ")");
  }
  // sqlite:///absolute/path: a relative data_dir would otherwise read as a URL host.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(config.data_dir, ec);
  if (ec) {
    return InvalidArgument("invalid configuration: data_dir \"" + config.data_dir +
                           "\": " + ec.message());
  }
  config.data_dir = dir.lexically_normal().string();
  while (config.data_dir.size() > 1 && config.data_dir.back() == '/') config.data_dir.pop_back();
  if (config.queue_url.empty()) config.queue_url = "sqlite://" + config.data_dir + "/queue.db";
  if (config.database_url.empty()) {
    config.database_url = "sqlite://" + config.data_dir + "/mlworker.db";
  }
  return config;
}

}  // namespace mlw::worker
