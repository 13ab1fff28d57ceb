#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace mlw::metrics {
namespace {

TEST(MetricsTest, RendersCountersGaugesWithLabelsInTextFormat) {
  Registry r;
  auto& c = r.AddCounter("jobs_total", "Jobs done.", {"job_type"});
  c.WithLabels({"a"}).Increment();
  c.WithLabels({"a"}).Increment(2);
  c.WithLabels({"b\"\\\n"}).Increment();
  r.AddGauge("in_flight", "Running.").Get().Set(3);
  std::string text = r.RenderText();
  EXPECT_NE(text.find("# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobs_total{job_type=\"a\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs_total{job_type=\"b\\\"\\\\\\n\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE in_flight gauge\nin_flight 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.AddHistogram("d_seconds", "Durations.", {"t"}, {0.1, 1});
  h.WithLabels({"x"}).Observe(0.05);
  h.WithLabels({"x"}).Observe(0.5);
  h.WithLabels({"x"}).Observe(0.1);
  h.WithLabels({"x"}).Observe(7);
  std::string text = r.RenderText();
  EXPECT_NE(text.find("d_seconds_bucket{t=\"x\",le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{t=\"x\",le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{t=\"x\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_sum{t=\"x\"} 7.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_count{t=\"x\"} 4\n"), std::string::npos) << text;
}

TEST(MetricsTest, ReRegisteringReturnsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("x_total", "X.", {"l"});
  auto& b = r.AddCounter("x_total", "X.", {"l"});
  EXPECT_EQ(&a, &b);
}

TEST(MetricsDeathTest, MismatchedRegistrationAborts) {
  Registry r;
  r.AddCounter("x_total", "X.", {"l"});
  EXPECT_DEATH(r.AddGauge("x_total", "X."), "different type or labels");
  EXPECT_DEATH(r.AddCounter("bad-name", "X."), "invalid metric name");
}

TEST(MetricsTest, CollectorsRunBeforeRendering) {
  Registry r;
  auto& g = r.AddGauge("depth", "Depth.");
  int calls = 0;
  r.AddCollector([&] { g.Get().Set(++calls); });
  EXPECT_NE(r.RenderText().find("depth 1\n"), std::string::npos);
  EXPECT_NE(r.RenderText().find("depth 2\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& c = r.AddCounter("n_total", "N.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) c.WithLabels({t % 2 ? "odd" : "even"}).Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.WithLabels({"odd"}).Value() + c.WithLabels({"even"}).Value(), 40000);
}

TEST(MetricsTest, FormatsSpecialValues) {
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatValue(0.0 / 0.0), "NaN");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(0.25), "0.25");
}

}  // namespace
}  // namespace mlw::metrics
