// Drives the real `mlworker run` binary as a user would: uploads over HTTP, waits for the worker,
// reads aggregates back; and kills the process with SIGKILL between ingest and processing to show
// that nothing is lost.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "api_call.h"
#include "child_process.h"
#include "core/test_env.h"
#include "http/client.h"
#include "store/test_util.h"

namespace mlw {
namespace {

constexpr const char* kAdmin = "e2e-admin-token";

class RunProcess {
 public:
  RunProcess(const std::string& data_dir, bool worker_enabled) {
    std::vector<std::string> argv = {testenv::Binary(),  "run",
                                     "--data-dir",       data_dir,
                                     "--api-listen",     "127.0.0.1:0",
                                     "--sqs-listen",     "127.0.0.1:0",
                                     "--admin-token",    kAdmin,
                                     "--wait-time",      "1",
                                     "--sweep-interval", "2"};
    child_ = std::make_unique<testing::ChildProcess>(
        argv,
        std::map<std::string, std::string>{{"ML_WORKER_ENABLED", worker_enabled ? "true" : "false"},
                                           {"MLW_LOG_LEVEL", "warn"}});
    auto port = child_->WaitForLine(R"(api listening on http://127\.0\.0\.1:(\d+))",
                                    std::chrono::seconds(60));
    if (port)
      client_ =
          std::make_unique<http::HttpClient>("127.0.0.1", static_cast<uint16_t>(std::stoi(*port)));
  }
  bool started() const { return client_ != nullptr; }
  testing::ChildProcess& child() { return *child_; }

  nlohmann::json Call(const std::string& method, const std::string& target,
                      const std::string& token, const nlohmann::json& body, int* status) {
    return testing::CallApi(*client_, method, target, token, body, status);
  }

  // Polls the user's status until nothing is pending or processing; false on timeout.
  bool WaitProcessed(int64_t user, const std::string& token, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      nlohmann::json s =
          Call("GET", "/v1/users/" + std::to_string(user) + "/status", token, nullptr, &status);
      if (status == 200) {
        int64_t open = 0;
        for (const char* d : {"vitals", "nutrition", "labs"}) {
          open += s[d].value("pending", int64_t{0}) + s[d].value("processing", int64_t{0});
        }
        if (open == 0) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  std::unique_ptr<testing::ChildProcess> child_;
  std::unique_ptr<http::HttpClient> client_;
};

class RunE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testenv::Binary())) GTEST_SKIP() << "mlworker binary not built";
  }
  store::testing::TempDir dir_;
};

nlohmann::json Uploads() {
  nlohmann::json vitals = {{"samples", nlohmann::json::array()}};
  for (int h = 0; h < 6; ++h) {
    vitals["samples"].push_back({{"metric", "steps"},
                                 {"value", 1000},
                                 {"unit", "count"},
                                 {"start", "2024-06-03T0" + std::to_string(h) + ":00:00Z"},
                                 {"end", "2024-06-03T0" + std::to_string(h) + ":30:00Z"}});
  }
  return vitals;
}

TEST_F(RunE2ETest, UploadsBecomeAggregatesAndLabCodesThroughTheRealBinary) {
  RunProcess run(dir_.path(), true);
  ASSERT_TRUE(run.started()) << run.child().output();
  int status = 0;
  nlohmann::json user =
      run.Call("POST", "/v1/users", kAdmin, {{"timezone", "America/New_York"}}, &status);
  ASSERT_EQ(status, 201) << user.dump();
  const int64_t id = user["user_id"];
  const std::string token = user["token"];
  const std::string base = "/v1/users/" + std::to_string(id);
  run.Call("POST", base + "/vitals", token, Uploads(), &status);
  ASSERT_EQ(status, 202);
  run.Call("POST", base + "/nutrition", token,
           {{"entries",
             {{{"eaten_at", "2024-06-03T12:30:00-04:00"},
               {"meal_type", "lunch"},
               {"food", "soup"},
               {"calories", 400},
               {"protein_g", 20},
               {"carbs_g", 50},
               {"fat_g", 10}}}}},
           &status);
  ASSERT_EQ(status, 202);
  run.Call("POST", base + "/labs", token,
           {{"report_date", "2024-06-03"},
            {"lab_name", "Acme Labs"},
            {"tests",
             {{{"name", "HAEMOGLOBIN"},
               {"value", "12.1"},
               {"unit", "g/dL"},
               {"reference_range", "13.5-17.5"}},
              {{"name", "S. Creatinine"}, {"value", 1.1}, {"unit", "mg/dL"}}}}},
           &status);
  ASSERT_EQ(status, 202);
  ASSERT_TRUE(run.WaitProcessed(id, token, std::chrono::seconds(60)));

  // Steps at 00:00-05:30 UTC on June 3 fall on June 2 (20:00-01:30 EDT) and June 3 in New York.
  nlohmann::json steps = run.Call("GET", base + "/vitals/aggregates?metric=steps&period=daily",
                                  token, nullptr, &status);
  ASSERT_EQ(status, 200) << steps.dump();
  double total = 0;
  for (const auto& b : steps["buckets"]) total += b["sum"].get<double>();
  EXPECT_DOUBLE_EQ(total, 6000.0);
  EXPECT_EQ(steps["buckets"].size(), 2u) << steps.dump();
  nlohmann::json meals =
      run.Call("GET", base + "/nutrition/aggregates?period=daily", token, nullptr, &status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(meals["buckets"].size(), 1u) << meals.dump();
  EXPECT_DOUBLE_EQ(meals["buckets"][0]["totals"]["calories"].get<double>(), 400.0);
  nlohmann::json labs = run.Call("GET", base + "/labs/results", token, nullptr, &status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(labs["results"].size(), 2u) << labs.dump();
  std::map<std::string, nlohmann::json> by_code;
  for (const auto& r : labs["results"]) by_code[r["loinc_code"].get<std::string>()] = r;
  ASSERT_TRUE(by_code.count("718-7")) << labs.dump();  // Hemoglobin [Mass/volume] in Blood
  ASSERT_TRUE(by_code.count("2160-0"))
      << labs.dump();  // Creatinine [Mass/volume] in Serum or Plasma
  EXPECT_EQ(by_code["718-7"]["flag"], "low");
  EXPECT_EQ(by_code["718-7"]["category"], "complete_blood_count");
  run.child().Kill(SIGTERM);
  EXPECT_EQ(run.child().Wait(), 0) << run.child().output();
}

TEST_F(RunE2ETest, KillDashNineBetweenIngestAndProcessingLosesNothing) {
  int64_t id = 0;
  std::string token;
  {
    // No worker: uploads are stored with their triggers, nothing is processed.
    RunProcess run(dir_.path(), false);
    ASSERT_TRUE(run.started()) << run.child().output();
    int status = 0;
    nlohmann::json user = run.Call("POST", "/v1/users", kAdmin, {{"timezone", "UTC"}}, &status);
    ASSERT_EQ(status, 201);
    id = user["user_id"];
    token = user["token"];
    run.Call("POST", "/v1/users/" + std::to_string(id) + "/vitals", token, Uploads(), &status);
    ASSERT_EQ(status, 202);
    nlohmann::json s =
        run.Call("GET", "/v1/users/" + std::to_string(id) + "/status", token, nullptr, &status);
    EXPECT_EQ(s["vitals"]["pending"], 6);
    run.child().Kill(SIGKILL);
  }
  RunProcess run(dir_.path(), true);
  ASSERT_TRUE(run.started()) << run.child().output();
  ASSERT_TRUE(run.WaitProcessed(id, token, std::chrono::seconds(60)));
  int status = 0;
  nlohmann::json steps = run.Call(
      "GET", "/v1/users/" + std::to_string(id) + "/vitals/aggregates?metric=steps&period=daily",
      token, nullptr, &status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(steps["buckets"].size(), 1u) << steps.dump();
  EXPECT_DOUBLE_EQ(steps["buckets"][0]["sum"].get<double>(), 6000.0);  // counted once
}

}  // namespace
}  // namespace mlw
