// GroupTable: assigns group ids to rows by the values of their group-by keys (the hash
// table of the Aggregate operator).
//
// Keys are typed: 500, 500.0, "500" and true are four different groups (as in
// count_distinct), and a missing key is its own group (shown as null). Each row's keys
// are encoded into a reused byte buffer (a type tag and the value's bytes per key) and
// looked up by string_view, so a row of an existing group allocates nothing.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/value.h"
#include "query/evaluator.h"

namespace vigil::query {

// Appends the encoding of `v`'s value at `row` (type tag + bytes) to `out`. Returns false
// when the row has no value (the null tag is appended).
bool EncodeKey(const Vector& v, uint32_t row, std::string* out);

class GroupTable {
 public:
  explicit GroupTable(size_t key_count) : key_count_(key_count) {}

  // Sets gids[i] to the group of row sel[i], where keys[k] holds the k-th key's values
  // (keys.size() == key_count). New groups get the next ids, from 0.
  void Assign(const std::vector<Vector>& keys, const Sel& sel, std::vector<uint32_t>* gids);
  size_t size() const { return groups_; }
  // Key `k` of group `g`. REQUIRES: g < size(), k < key_count.
  const Value& Key(size_t g, size_t k) const { return keys_[g * key_count_ + k]; }
  // Bytes held (approximate), for the query memory budget.
  size_t MemoryBytes() const { return bytes_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  uint32_t AddGroup(const std::vector<Vector>& keys, uint32_t row);

  size_t key_count_;
  size_t groups_ = 0;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
  std::vector<Value> keys_;  // groups_ * key_count_, row-major
  std::string buf_;
  size_t bytes_ = 0;
};

}  // namespace vigil::query
