// GroupTable: assigns group ids to rows by the values of their group-by keys (the hash
// table of the Aggregate operator).
//
// Keys are typed: 500, 500.0, "500" and true are four different groups (as in
// count_distinct), and a missing key is its own group (shown as null). Each row's keys
// are encoded into a reused byte buffer (a type tag and the value's bytes per key) and
// looked up in an open-addressing table of (hash, group) slots whose keys live back to
// back in one arena, so a row of an existing group allocates nothing. A row with the same
// key as the row before it (time bins over time-ordered rows) skips the lookup; with a
// single int key that check compares the value without encoding it. A single string key
// whose column came from one dictionary (StringVec::codes) is looked up once per entry.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
  size_t MemoryBytes() const {
    return arena_.capacity() + offsets_.capacity() * 8 + slots_.capacity() * sizeof(Slot) +
           keys_.capacity() * sizeof(Value) + value_bytes_;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t gid_plus_1 = 0;  // 0: empty
  };
  std::string_view EncodedKey(uint32_t g) const {
    return std::string_view(arena_).substr(offsets_[g], offsets_[g + 1] - offsets_[g]);
  }
  // The group of the key in buf_, adding it (with the values of `row`) when new.
  uint32_t FindOrAdd(const std::vector<Vector>& keys, uint32_t row);
  uint32_t Lookup(const std::vector<Vector>& keys, uint32_t row);
  void Grow();

  size_t key_count_;
  size_t groups_ = 0;
  std::vector<Slot> slots_;
  std::string arena_;              // every group's encoded key, back to back
  std::vector<uint64_t> offsets_ = {0};  // group g's key is arena_[offsets_[g], offsets_[g+1])
  std::vector<Value> keys_;        // groups_ * key_count_, row-major
  size_t value_bytes_ = 0;         // string bytes inside keys_
  std::string buf_;
  std::string prev_;  // the previous row's encoded key
  uint32_t prev_gid_ = 0;
  bool prev_is_int_ = false;  // prev_ encodes the int prev_int_ (single int key)
  int64_t prev_int_ = 0;
  static constexpr uint32_t kNoGroup = 0xffffffffu;
  std::vector<uint32_t> entry_gid_;  // single dictionary-coded string key: entry -> group
};

}  // namespace vigil::query
