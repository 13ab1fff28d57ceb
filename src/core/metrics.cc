#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace mlw::metrics {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "metrics registry misuse: %s\n", what.c_str());
  std::abort();
}

bool ValidName(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AtomicAdd(std::atomic<double>& target, double delta) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + delta, std::memory_order_relaxed)) {
  }
}

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `{a="x",b="y"}` or "" when there are no labels; `extra` is appended (histogram `le`).
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra_name = {}, const std::string& extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out.push_back(',');
    out += extra_name + "=\"" + extra_value + "\"";
  }
  out.push_back('}');
  return out;
}

void Header(std::ostringstream& out, const std::string& name, const std::string& help,
            const char* type) {
  out << "# HELP " << name << ' ' << EscapeHelp(help) << '\n';
  out << "# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

void Counter::Increment(double delta) {
  if (delta < 0) Die("counter decremented");
  AtomicAdd(value_, delta);
}

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), bucket_counts_(upper_bounds_.size() + 1, 0) {
  for (size_t i = 1; i < upper_bounds_.size(); ++i) {
    if (!(upper_bounds_[i - 1] < upper_bounds_[i])) Die("histogram bounds not increasing");
  }
}

void Histogram::Observe(double value) {
  size_t i =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  std::lock_guard<std::mutex> lock(mu_);
  ++bucket_counts_[i];
  sum_ += value;
  ++count_;
}

Histogram::Snapshot Histogram::Collect() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : bucket_counts_) {
    running += c;
    s.cumulative_counts.push_back(running);
  }
  s.sum = sum_;
  s.count = count_;
  return s;
}

std::vector<double> DefaultDurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) {
    Die(name_ + ": expected " + std::to_string(label_names_.size()) + " label values");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = children_[label_values];
  if (!slot) slot = factory_();
  return *slot;
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, child] : children_) fn(labels, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Entry* Registry::FindOrCheck(const std::string& name, Kind kind,
                                       const std::vector<std::string>& label_names) {
  if (!ValidName(name, /*allow_colon=*/true)) Die("invalid metric name '" + name + "'");
  for (const auto& l : label_names) {
    if (!ValidName(l, /*allow_colon=*/false) || l.rfind("__", 0) == 0 || l == "le") {
      Die("invalid label name '" + l + "' on " + name);
    }
  }
  for (auto& e : entries_) {
    const std::string* existing_name = nullptr;
    const std::vector<std::string>* existing_labels = nullptr;
    if (e->counter)
      existing_name = &e->counter->name(), existing_labels = &e->counter->label_names();
    if (e->gauge) existing_name = &e->gauge->name(), existing_labels = &e->gauge->label_names();
    if (e->histogram) {
      existing_name = &e->histogram->name(), existing_labels = &e->histogram->label_names();
    }
    if (*existing_name != name) continue;
    if (e->kind != kind || *existing_labels != label_names) {
      Die("metric '" + name + "' registered twice with different type or labels");
    }
    return e.get();
  }
  return nullptr;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindOrCheck(name, Kind::kCounter, label_names)) return *e->counter;
  auto e = std::make_unique<Entry>();
  e->kind = Kind::kCounter;
  e->counter = std::make_unique<Family<Counter>>(name, help, label_names,
                                                 [] { return std::make_unique<Counter>(); });
  entries_.push_back(std::move(e));
  return *entries_.back()->counter;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindOrCheck(name, Kind::kGauge, label_names)) return *e->gauge;
  auto e = std::make_unique<Entry>();
  e->kind = Kind::kGauge;
  e->gauge = std::make_unique<Family<Gauge>>(name, help, label_names,
                                             [] { return std::make_unique<Gauge>(); });
  entries_.push_back(std::move(e));
  return *entries_.back()->gauge;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          const std::vector<std::string>& label_names,
                                          std::vector<double> upper_bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* e = FindOrCheck(name, Kind::kHistogram, label_names)) return *e->histogram;
  auto e = std::make_unique<Entry>();
  e->kind = Kind::kHistogram;
  e->histogram = std::make_unique<Family<Histogram>>(
      name, help, label_names,
      [bounds = std::move(upper_bounds)] { return std::make_unique<Histogram>(bounds); });
  entries_.push_back(std::move(e));
  return *entries_.back()->histogram;
}

void Registry::AddCollector(std::function<void()> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::RenderText() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) c();

  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : entries_) {
    switch (e->kind) {
      case Kind::kCounter: {
        const auto& f = *e->counter;
        Header(out, f.name(), f.help(), "counter");
        f.ForEach([&](const std::vector<std::string>& labels, const Counter& c) {
          out << f.name() << LabelSet(f.label_names(), labels) << ' ' << FormatValue(c.Value())
              << '\n';
        });
        break;
      }
      case Kind::kGauge: {
        const auto& f = *e->gauge;
        Header(out, f.name(), f.help(), "gauge");
        f.ForEach([&](const std::vector<std::string>& labels, const Gauge& g) {
          out << f.name() << LabelSet(f.label_names(), labels) << ' ' << FormatValue(g.Value())
              << '\n';
        });
        break;
      }
      case Kind::kHistogram: {
        const auto& f = *e->histogram;
        Header(out, f.name(), f.help(), "histogram");
        f.ForEach([&](const std::vector<std::string>& labels, const Histogram& h) {
          Histogram::Snapshot s = h.Collect();
          for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
            std::string le = i < s.upper_bounds.size() ? FormatValue(s.upper_bounds[i]) : "+Inf";
            out << f.name() << "_bucket" << LabelSet(f.label_names(), labels, "le", le) << ' '
                << s.cumulative_counts[i] << '\n';
          }
          std::string set = LabelSet(f.label_names(), labels);
          out << f.name() << "_sum" << set << ' ' << FormatValue(s.sum) << '\n';
          out << f.name() << "_count" << set << ' ' << s.count << '\n';
        });
        break;
      }
    }
  }
  return out.str();
}

}  // namespace mlw::metrics
