// A worker process for integration tests: the production path (RunWorkerProcess: queue, database,
// migrations, metrics, runtime, signals) configured from the environment like `mlworker worker`,
// with test job types whose effects are recorded durably in the database:
//
//   test_job   {"job_type":"test_job","user_id":N,"sleep_ms":M?,"fail_times":K?}
//              records a `job_starts` row when it begins, sleeps M ms, fails while its receive
//              count is <= K, else records its effect once per message id in `effects` (unique) and
//              every completed run in `job_runs` (plain insert: duplicates would show).
//              With "retry_later_times":R and "retry_after":S it first answers Status::RetryLater
//              (retry after S seconds) for its first R runs, recording a `job_runs` row with
//              ok = 2 for each.
//   test_sweep no queue messages; its sweep finds users with `pending_rows` in status 'pending'
//              and its handler marks them 'done'.
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/config.h"
#include "core/log.h"
#include "worker/shutdown_signals.h"
#include "worker/worker_config.h"
#include "worker/worker_main.h"

namespace mlw::worker {
namespace {

int64_t NowMicros() { return SystemClock::Default().NowMicros(); }

Status CreateTables(store::Database& db) {
  for (const char* sql : {
           "CREATE TABLE IF NOT EXISTS job_starts (id INTEGER PRIMARY KEY, message_id TEXT, "
           "user_id BIGINT, receive_count INTEGER, pid INTEGER, start_us BIGINT)",
           "CREATE TABLE IF NOT EXISTS job_runs (id INTEGER PRIMARY KEY, message_id TEXT, "
           "user_id BIGINT, receive_count INTEGER, pid INTEGER, start_us BIGINT, end_us BIGINT, "
           "ok INTEGER)",
           "CREATE TABLE IF NOT EXISTS effects (message_id TEXT PRIMARY KEY, user_id BIGINT)",
           "CREATE TABLE IF NOT EXISTS pending_rows (id INTEGER PRIMARY KEY, user_id BIGINT, "
           "status TEXT)",
       }) {
    auto r = db.Exec(sql);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status ValidateTestJob(const nlohmann::json& body) {
  MLW_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"sleep_ms", "fail_times", "retry_later_times", "retry_after"}));
  for (const char* f : {"sleep_ms", "fail_times", "retry_later_times", "retry_after"}) {
    if (body.contains(f) && !(body[f].is_number_integer() && body[f].get<int64_t>() >= 0)) {
      return InvalidArgument(std::string("'") + f + "' must be a non-negative integer");
    }
  }
  return Status::Ok();
}

template <typename Executor>  // store::Database or store::Connection
Status RecordRun(Executor& db, const Job& job, int64_t start_us, int64_t ok) {
  auto r = db.Exec(
      "INSERT INTO job_runs (message_id, user_id, receive_count, pid, start_us, end_us, ok) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {job.message_id, job.user_id, int64_t{job.receive_count}, int64_t{getpid()}, start_us,
       NowMicros(), ok});
  return r.status();
}

Status Bind(HandlerRegistry& registry, store::Database& db, const WorkerConfig&) {
  MLW_RETURN_IF_ERROR(CreateTables(db));
  store::Database* d = &db;
  MLW_RETURN_IF_ERROR(registry.Register(
      "test_job",
      [d](const Job& job) -> Status {
        const int64_t start = NowMicros();
        auto started = d->Exec(
            "INSERT INTO job_starts (message_id, user_id, receive_count, pid, start_us) "
            "VALUES ($1, $2, $3, $4, $5)",
            {job.message_id, job.user_id, int64_t{job.receive_count}, int64_t{getpid()}, start});
        if (!started.ok()) return started.status();
        int64_t sleep_ms = job.payload.value("sleep_ms", int64_t{0});
        int64_t fail_times = job.payload.value("fail_times", int64_t{0});
        if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
        // Counted per logical message id, which survives a re-send as a fresh copy.
        const int64_t retry_later_times = job.payload.value("retry_later_times", int64_t{0});
        int64_t retried = 0;
        if (retry_later_times > 0) {
          auto rows = d->Query("SELECT COUNT(*) FROM job_runs WHERE message_id = $1 AND ok = 2",
                               {job.message_id});
          if (!rows.ok()) return rows.status();
          retried = (*rows)[0].Int(0);
        }
        if (retried < retry_later_times) {
          MLW_RETURN_IF_ERROR(RecordRun(*d, job, start, 2));
          return Status::RetryLater("planned retry-later",
                                    static_cast<int>(job.payload.value("retry_after", 1)));
        }
        if (job.receive_count <= fail_times) {
          MLW_RETURN_IF_ERROR(RecordRun(*d, job, start, 0));
          return Unavailable("planned failure " + std::to_string(job.receive_count) + " of " +
                             std::to_string(fail_times));
        }
        // The effect and its run record commit together, so a test that sees one sees both.
        return d->InTransaction([&](store::Connection& conn) -> Status {
          auto effect = conn.Exec(
              "INSERT INTO effects (message_id, user_id) VALUES ($1, $2) "
              "ON CONFLICT (message_id) DO NOTHING",
              {job.message_id, job.user_id});
          if (!effect.ok()) return effect.status();
          return RecordRun(conn, job, start, 1);
        });
      },
      ValidateTestJob));

  MLW_RETURN_IF_ERROR(registry.Register("test_sweep", [d](const Job& job) -> Status {
    const int64_t start = NowMicros();
    auto done = d->Exec(
        "UPDATE pending_rows SET status = 'done' WHERE user_id = $1 AND "
        "status = 'pending'",
        {job.user_id});
    if (!done.ok()) return done.status();
    return RecordRun(*d, job, start, 1);
  }));
  return registry.RegisterSweep("test_sweep", [d](int limit) -> Result<std::vector<int64_t>> {
    auto rows = d->Query(
        "SELECT DISTINCT user_id FROM pending_rows WHERE status = 'pending' ORDER BY user_id "
        "LIMIT $1",
        {int64_t{limit}});
    if (!rows.ok()) return rows.status();
    std::vector<int64_t> users;
    for (const auto& row : *rows) users.push_back(row.Int(0));
    return users;
  });
}

}  // namespace
}  // namespace mlw::worker

int main() {
  mlw::worker::BlockShutdownSignals();
  auto config = mlw::worker::LoadWorkerConfig("", mlw::ProcessEnvironment(), {});
  if (!config.ok()) {
    mlw::log::Error("worker_start_failed", {{"error", config.status().ToString()}});
    return 2;
  }
  return mlw::worker::RunWorkerProcess(*config, mlw::worker::Bind, "test-harness");
}
