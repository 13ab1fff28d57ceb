// Vitals pipeline benchmark (issue 4): N vitals samples for U users go from raw rows to all four
// rollups (hourly, daily, weekly, monthly) on the embedded SQLite store, on one thread. Prints one
// JSON object. Usage: pipeline_bench [--samples N] [--users U] [--batch B] [--dir DIR]
// --batch B ingests B samples per call, taking the users in turn as uploads from many apps arrive,
// so that one user's raw rows are spread over the table as the API writes them (default: all of a
// user's samples in one call).
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/clock.h"
#include "core/timestamp.h"
#include "pipelines/users.h"
#include "pipelines/vitals/vitals_ingest.h"
#include "pipelines/vitals/vitals_processor.h"
#include "store/database_factory.h"
#include "store/migrations.h"

namespace {

using mlw::pipelines::vitals::VitalSample;
using Seconds = std::chrono::duration<double>;

// The calling thread's CPU time spent in the kernel (reads and writes of database pages).
double ThreadSystemSeconds() {
  rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_stime.tv_usec) / 1e6;
}

// CPU time of this thread: on a shared machine wall time also counts other processes' turns.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Fail(const mlw::Status& st) {
  std::cerr << "pipeline_bench: " << st.ToString() << "\n";
  return 1;
}

// A week of a wearable's data: mostly heart-rate readings, step and energy counts over a few
// minutes, and the odd sleep stage.
std::vector<VitalSample> UserSamples(std::mt19937_64& rng, int64_t n, int64_t week_start_us) {
  constexpr int64_t kMin = 60LL * 1000000;
  std::vector<VitalSample> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    VitalSample s;
    s.start_us = week_start_us + static_cast<int64_t>(rng() % (7 * 24 * 60)) * kMin;
    int kind = static_cast<int>(rng() % 20);
    if (kind < 12) {
      s.metric = "heart_rate";
      s.unit = "bpm";
      s.value = 50 + static_cast<double>(rng() % 100);
      s.end_us = s.start_us;
    } else if (kind < 17) {
      s.metric = "steps";
      s.unit = "count";
      s.value = static_cast<double>(rng() % 2000);
      s.end_us = s.start_us + static_cast<int64_t>(1 + rng() % 60) * kMin;
    } else if (kind < 19) {
      s.metric = "active_energy";
      s.unit = "kcal";
      s.value = static_cast<double>(rng() % 300);
      s.end_us = s.start_us + static_cast<int64_t>(1 + rng() % 60) * kMin;
    } else {
      s.metric = "sleep";
      s.unit = "min";
      s.stage = "light";
      s.end_us = s.start_us + static_cast<int64_t>(10 + rng() % 120) * kMin;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t samples = 1000000, users = 1000, batch = 0;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--samples")
      samples = std::atoll(argv[i + 1]);
    else if (flag == "--users")
      users = std::atoll(argv[i + 1]);
    else if (flag == "--batch")
      batch = std::atoll(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else {
      std::cerr << "usage: pipeline_bench [--samples N] [--users U] [--batch B] [--dir DIR]\n";
      return 2;
    }
  }
  if (samples <= 0 || users <= 0 || samples < users) {
    std::cerr << "pipeline_bench: need samples >= users > 0\n";
    return 2;
  }
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/mlw-pipeline-bench-" + std::to_string(getpid());
  }
  std::filesystem::remove_all(dir);
  auto opened = mlw::store::OpenDatabase("sqlite://" + dir + "/bench.db");
  if (!opened.ok()) return Fail(opened.status());
  auto& db = **opened;
  if (auto m = mlw::store::Migrate(db); !m.ok()) return Fail(m.status());

  mlw::ManualClock clock(mlw::ParseRfc3339("2025-02-01T00:00:00Z").value().micros);
  const int64_t week = mlw::ParseRfc3339("2025-01-20T00:00:00Z").value().micros;
  const char* zones[] = {"UTC", "America/New_York", "Europe/London", "Asia/Kolkata",
                         "Australia/Lord_Howe"};
  std::mt19937_64 rng(42);
  std::vector<int64_t> ids;
  for (int64_t u = 0; u < users; ++u) {
    auto user = mlw::pipelines::CreateUser(db, clock, zones[u % 5]);
    if (!user.ok()) return Fail(user.status());
    ids.push_back(user->id);
  }

  // Ingest (validation + raw rows), timed separately from processing.
  std::vector<std::vector<VitalSample>> per_user;
  for (int64_t u = 0; u < users; ++u) {
    per_user.push_back(UserSamples(rng, samples / users + (u < samples % users ? 1 : 0), week));
  }
  std::vector<mlw::pipelines::RowError> rejected;
  double ingest_s = 0, ingest_cpu = 0;
  const size_t step = batch > 0 ? static_cast<size_t>(batch) : SIZE_MAX;
  for (size_t offset = 0;; offset += step) {
    bool any = false;
    for (int64_t u = 0; u < users; ++u) {
      const auto& all = per_user[static_cast<size_t>(u)];
      if (offset >= all.size()) continue;
      any = true;
      const size_t end = all.size() - offset <= step ? all.size() : offset + step;
      std::vector<VitalSample> part(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                    all.begin() + static_cast<std::ptrdiff_t>(end));
      auto t0 = std::chrono::steady_clock::now();
      double c0 = ThreadCpuSeconds();
      auto r = mlw::pipelines::vitals::IngestVitalSamples(db, clock, ids[u], part, {}, &rejected);
      ingest_s += Seconds(std::chrono::steady_clock::now() - t0).count();
      ingest_cpu += ThreadCpuSeconds() - c0;
      if (!r.ok()) return Fail(r.status());
    }
    if (!any || step == SIZE_MAX) break;
  }

  // Raw rows -> categorized rows -> four rollups, user by user as the worker would.
  mlw::pipelines::ProcessStats total;
  auto t0 = std::chrono::steady_clock::now();
  double c0 = ThreadCpuSeconds();
  double sys0 = ThreadSystemSeconds();
  for (int64_t id : ids) {
    auto stats = mlw::pipelines::vitals::ProcessPendingVitals(db, clock, id);
    if (!stats.ok()) return Fail(stats.status());
    total.claimed += stats->claimed;
    total.processed += stats->processed;
    total.failed += stats->failed;
    total.buckets_written += stats->buckets_written;
  }
  double process_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  double process_cpu = ThreadCpuSeconds() - c0;
  double process_sys = ThreadSystemSeconds() - sys0;
  // Untimed: every raw row reads as processed where apps read it (the view vitals_raw_data, which
  // derives the status of rows finished by the watermark).
  auto unfinished = db.Query(
      "SELECT COUNT(*) FROM vitals_raw_data WHERE status <> 'processed' OR "
      "finished_at_us IS NULL");
  if (!unfinished.ok()) return Fail(unfinished.status());
  const int64_t rows_not_processed = (*unfinished)[0].Int(0);
  std::error_code ec;
  auto db_bytes = std::filesystem::file_size(dir + "/bench.db", ec);

  nlohmann::json out = {
      {"benchmark", "vitals_pipeline"},
      {"store", "sqlite"},
      {"samples", samples},
      {"users", users},
      {"batch", batch},
      {"ingest_seconds", ingest_s},
      {"ingest_samples_per_second", static_cast<double>(samples) / ingest_s},
      {"ingest_cpu_seconds", ingest_cpu},
      {"ingest_samples_per_cpu_second", static_cast<double>(samples) / ingest_cpu},
      {"process_seconds", process_s},
      {"process_cpu_seconds", process_cpu},
      {"process_system_cpu_seconds", process_sys},
      {"process_samples_per_cpu_second", static_cast<double>(samples) / process_cpu},
      {"process_samples_per_second", static_cast<double>(samples) / process_s},
      {"end_to_end_samples_per_second", static_cast<double>(samples) / (ingest_s + process_s)},
      {"processed", total.processed},
      {"rows_not_processed", rows_not_processed},
      {"failed", total.failed},
      {"buckets_written", total.buckets_written},
      {"database_bytes", ec ? 0 : db_bytes},
  };
  std::cout << out.dump() << "\n";
  std::filesystem::remove_all(dir);
  return total.processed == samples && rows_not_processed == 0 ? 0 : 1;
}
