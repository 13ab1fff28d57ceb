#include "worker/flat_table.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

namespace mlw::worker {
namespace {

// The runtime swapped std::map and std::set for these: same answers for the same operations,
// checked against the standard containers over a deterministic mix of inserts and erases.
TEST(FlatTableTest, MapBehavesAsStdMap) {
  FlatMap<uint64_t, std::shared_ptr<std::string>> flat;
  std::map<uint64_t, std::shared_ptr<std::string>> reference;
  uint64_t state = 12345;
  for (int i = 0; i < 5000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint64_t key = (state >> 33) % 64;
    if ((state >> 20) % 3 == 0) {
      EXPECT_EQ(flat.erase(key), reference.erase(key));
    } else {
      auto value = std::make_shared<std::string>(std::to_string(i));
      flat[key] = value;
      reference[key] = value;
    }
    ASSERT_EQ(flat.size(), reference.size());
    EXPECT_EQ(flat.empty(), reference.empty());
    EXPECT_EQ(flat.count(key), reference.count(key));
  }
  auto it = reference.begin();
  for (const auto& [key, value] : flat) {  // same entries, in key order
    ASSERT_NE(it, reference.end());
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(value, it->second);
    ++it;
  }
  EXPECT_EQ(it, reference.end());
}

TEST(FlatTableTest, SetBehavesAsStdSet) {
  FlatSet<int64_t> flat;
  std::set<int64_t> reference;
  uint64_t state = 777;
  for (int i = 0; i < 5000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t key = static_cast<int64_t>((state >> 33) % 64) - 32;
    if ((state >> 20) % 2 == 0) {
      EXPECT_EQ(flat.erase(key), reference.erase(key));
    } else {
      EXPECT_EQ(flat.insert(key), reference.insert(key).second);
    }
    ASSERT_EQ(flat.size(), reference.size());
    EXPECT_EQ(flat.empty(), reference.empty());
    for (int64_t k = -33; k <= 32; ++k) ASSERT_EQ(flat.count(k), reference.count(k)) << k;
  }
}

}  // namespace
}  // namespace mlw::worker
