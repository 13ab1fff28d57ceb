#include "cli/demo_runner.h"

#include <chrono>
#include <thread>

#include "cli/demo_data.h"
#include "http/client.h"

namespace mlw::cli {
namespace {

class ApiCaller {
 public:
  ApiCaller(uint16_t port, std::string token)
      : client_("127.0.0.1", port), token_(std::move(token)) {}

  Result<nlohmann::json> Call(const std::string& method, const std::string& target,
                              const nlohmann::json& body, int expected_status) {
    http::HeaderList headers = {{"Authorization", "Bearer " + token_}};
    std::string text;
    if (!body.is_null()) {
      headers.emplace_back("Content-Type", "application/json");
      text = body.dump();
    }
    MLW_ASSIGN_OR_RETURN(http::ClientResponse r,
                         client_.Send(method, target, headers, text, std::chrono::seconds(60)));
    if (r.status != expected_status) {
      return Internal(method + " " + target + " answered " + std::to_string(r.status) + ": " +
                      r.body.substr(0, 500));
    }
    nlohmann::json json = nlohmann::json::parse(r.body, nullptr, false);
    if (json.is_discarded()) return Internal(method + " " + target + " answered non-JSON");
    return json;
  }

 private:
  http::HttpClient client_;
  std::string token_;
};

int64_t Outstanding(const nlohmann::json& status) {
  int64_t n = 0;
  for (const char* domain : {"vitals", "nutrition", "labs"}) {
    if (!status.contains(domain)) continue;
    n += status[domain].value("pending", int64_t{0}) +
         status[domain].value("processing", int64_t{0});
  }
  return n;
}

}  // namespace

Status RunDemo(AllInOne& node, const std::string& api_url, std::ostream& out) {
  ApiCaller admin(node.api_port(), node.admin_token());
  MLW_ASSIGN_OR_RETURN(nlohmann::json user,
                       admin.Call("POST", "/v1/users", {{"timezone", "Europe/London"}}, 201));
  const int64_t user_id = user["user_id"].get<int64_t>();
  const std::string token = user["token"].get<std::string>();
  const std::string base = "/v1/users/" + std::to_string(user_id);
  ApiCaller app(node.api_port(), token);

  const auto started = std::chrono::steady_clock::now();
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  DemoUploads uploads = MakeDemoUploads(now);
  out << "demo: uploading " << uploads.vitals_samples << " vitals samples, " << uploads.meal_entries
      << " meals and " << uploads.lab_reports.size() << " lab reports (" << uploads.lab_tests
      << " tests) for user " << user_id << " …" << std::endl;
  for (const auto& batch : uploads.vitals_batches) {
    MLW_RETURN_IF_ERROR(app.Call("POST", base + "/vitals", batch, 202).status());
  }
  for (const auto& batch : uploads.nutrition_batches) {
    MLW_RETURN_IF_ERROR(app.Call("POST", base + "/nutrition", batch, 202).status());
  }
  for (const auto& report : uploads.lab_reports) {
    MLW_RETURN_IF_ERROR(app.Call("POST", base + "/labs", report, 202).status());
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  nlohmann::json status;
  for (;;) {
    MLW_ASSIGN_OR_RETURN(status, app.Call("GET", base + "/status", nullptr, 200));
    if (Outstanding(status) == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "processing did not finish within 5 minutes: " + status.dump());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "demo: uploaded and processed in " << static_cast<int>(seconds * 10) / 10.0
      << " s; status " << status.dump() << "\n\n"
      << "Look at the results (the demo user's token reaches only that user):\n"
      << "  TOKEN=" << token << "\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base
      << "/vitals/aggregates?metric=steps&period=weekly'\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base
      << "/vitals/aggregates?metric=heart_rate&period=monthly'\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base
      << "/vitals/aggregates?metric=blood_pressure&period=monthly'\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base
      << "/nutrition/aggregates?period=weekly'\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base << "/labs/results'\n"
      << "  curl -s -H \"Authorization: Bearer $TOKEN\" '" << api_url << base
      << "/labs/aggregates?period=yearly'\n"
      << "  curl -s " << api_url << "/metrics\n"
      << std::endl;
  return Status::Ok();
}

}  // namespace mlw::cli
