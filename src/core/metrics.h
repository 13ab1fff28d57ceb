// A small Prometheus metrics registry: counters, gauges and histograms with labels, rendered in the
// text exposition format (version 0.0.4). The worker serves it on its admin port, the API on
// /metrics.
//
// Thread-safety: every method of every class here is safe to call from many threads at once.
// Lifetime: families and children are owned by their Registry; references returned by Add*() and
// WithLabels() stay valid as long as the Registry does.
//
// Registration contract: metric and label names match [a-zA-Z_:][a-zA-Z0-9_:]* (labels without
// ':'); registering a name again returns the existing family when the type and label names are the
// same. A mismatch is a programming error and aborts the process with a message.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mlw::metrics {

class Counter {
 public:
  // REQUIRES: delta >= 0 (counters only go up).
  void Increment(double delta = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `upper_bounds` strictly increasing, without +Inf (always implied).
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then one for +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Collect() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> bucket_counts_;  // guarded by mu_; non-cumulative, last is +Inf
  double sum_ = 0;                       // guarded by mu_
  uint64_t count_ = 0;                   // guarded by mu_
};

// Default buckets for durations in seconds: 5 ms .. 5 min.
std::vector<double> DefaultDurationBuckets();

// A metric family: one name, help text, label names, and one child per distinct label values.
template <typename T>
class Family {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;
  Family(std::string name, std::string help, std::vector<std::string> label_names, Factory factory)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        factory_(std::move(factory)) {}

  // REQUIRES: label_values.size() == label_names().size(); aborts otherwise.
  T& WithLabels(const std::vector<std::string>& label_values);
  // For families without labels.
  T& Get() { return WithLabels({}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(label_values, child) for every child, in label order.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const Factory factory_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // guarded by mu_
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              const std::vector<std::string>& label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          const std::vector<std::string>& label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  const std::vector<std::string>& label_names,
                                  std::vector<double> upper_bounds);

  // A collector runs at the start of every RenderText(), to refresh gauges whose value is read
  // from elsewhere (queue depth). It must not call RenderText() or AddCollector().
  void AddCollector(std::function<void()> collector);

  // The whole registry in Prometheus text format, families in registration order.
  std::string RenderText() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Entry {
    Kind kind;
    std::unique_ptr<Family<Counter>> counter;
    std::unique_ptr<Family<Gauge>> gauge;
    std::unique_ptr<Family<Histogram>> histogram;
  };
  Entry* FindOrCheck(const std::string& name, Kind kind,
                     const std::vector<std::string>& label_names);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;    // guarded by mu_
  std::vector<std::function<void()>> collectors_;  // guarded by mu_
};

// The text-format spelling of a sample value: integers without a fraction, "+Inf", "NaN".
std::string FormatValue(double value);

}  // namespace mlw::metrics
