// Shared fixture for pipeline tests: a migrated SQLite database in a temporary directory and a
// manual clock at 2026-01-01T00:00:00Z. For tests only.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/timestamp.h"
#include "pipelines/users.h"
#include "store/test_util.h"

namespace mlw::pipelines::testing {

inline int64_t At(const char* rfc3339) { return ParseRfc3339(rfc3339).value().micros; }

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : clock_(At("2026-01-01T00:00:00Z")) { db_ = store::testing::OpenMigrated(dir_); }

  int64_t NewUser(const std::string& zone = "UTC") {
    auto user = CreateUser(*db_, clock_, zone);
    EXPECT_TRUE(user.ok()) << user.status().ToString();
    return user->id;
  }

  int64_t Count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = db_->Query(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : -1;
  }

  // Every row of `table` as text, ordered, without the updated_at_us column: a whole-table
  // snapshot to compare runs.
  std::vector<std::string> Snapshot(store::Database& db, const std::string& table,
                                    const std::string& columns) {
    auto rows = db.Query("SELECT " + columns + " FROM " + table + " ORDER BY 1, 2, 3");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const auto& r : *rows) {
      std::string line;
      for (const auto& v : r.values) {
        if (std::holds_alternative<int64_t>(v)) line += std::to_string(std::get<int64_t>(v));
        if (std::holds_alternative<double>(v)) line += std::to_string(std::get<double>(v));
        if (std::holds_alternative<std::string>(v)) line += std::get<std::string>(v);
        line += "|";
      }
      out.push_back(line);
    }
    return out;
  }

  store::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace mlw::pipelines::testing
