// Small ordered containers kept in one sorted vector, for what the worker runtime holds per
// outstanding job (at most `concurrency` plus one receive batch of entries): taking and settling
// a job then allocates no tree node, which a std::map or std::set would for every message.
// Lookups are binary searches; an insert or erase moves at most the entries after it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace mlw::worker {

// An ordered map with the subset of std::map's interface the runtime uses. Iteration is in key
// order over std::pair<K, V>; any insert or erase invalidates iterators and references.
template <typename K, typename V>
class FlatMap {
 public:
  using value_type = std::pair<K, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  V& operator[](const K& key) {
    auto it = LowerBound(key);
    if (it == items_.end() || it->first != key) it = items_.insert(it, value_type(key, V()));
    return it->second;
  }
  size_t erase(const K& key) {
    auto it = LowerBound(key);
    if (it == items_.end() || it->first != key) return 0;
    items_.erase(it);
    return 1;
  }
  size_t count(const K& key) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), key,
                               [](const value_type& e, const K& k) { return e.first < k; });
    return it != items_.end() && it->first == key ? 1 : 0;
  }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

 private:
  iterator LowerBound(const K& key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& e, const K& k) { return e.first < k; });
  }
  std::vector<value_type> items_;  // sorted by key, keys distinct
};

// An ordered set with the subset of std::set's interface the runtime uses.
template <typename K>
class FlatSet {
 public:
  bool insert(const K& key) {
    auto it = std::lower_bound(items_.begin(), items_.end(), key);
    if (it != items_.end() && *it == key) return false;
    items_.insert(it, key);
    return true;
  }
  size_t erase(const K& key) {
    auto it = std::lower_bound(items_.begin(), items_.end(), key);
    if (it == items_.end() || *it != key) return 0;
    items_.erase(it);
    return 1;
  }
  size_t count(const K& key) const {
    return std::binary_search(items_.begin(), items_.end(), key) ? 1 : 0;
  }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<K> items_;  // sorted, distinct
};

}  // namespace mlw::worker
