#include "query/group_table.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the call
#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace vigil::query {
namespace {

// The column of `v` valid at `row`, or nullptr (missing).
const Column* ColumnAt(const Vector& v, uint32_t row) {
  for (const Column* c : v.columns)
    if (c->valid[row]) return c;
  return nullptr;
}

void AppendBytes(const void* p, size_t n, std::string* out) {
  out->append(static_cast<const char*>(p), n);
}

void EncodeValue(const Value& v, std::string* out) {
  out->push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case Type::kBool: {
      const int64_t i = std::get<bool>(v.v) ? 1 : 0;
      return AppendBytes(&i, 8, out);
    }
    case Type::kInt:
      return AppendBytes(&std::get<int64_t>(v.v), 8, out);
    case Type::kFloat:
      return AppendBytes(&std::get<double>(v.v), 8, out);
    case Type::kString: {
      const std::string& s = std::get<std::string>(v.v);
      const uint32_t n = static_cast<uint32_t>(s.size());
      AppendBytes(&n, 4, out);
      out->append(s);
      return;
    }
    case Type::kNull:
      return;
  }
}

// Same bytes as EncodeValue(CellValue(*c, row)) without building a Value.
void EncodeCell(const Column* c, uint32_t row, std::string* out) {
  if (c == nullptr) return out->push_back(static_cast<char>(Type::kNull));
  out->push_back(static_cast<char>(c->type));
  switch (c->type) {
    case Type::kBool:
    case Type::kInt:
      return AppendBytes(&c->ints[row], 8, out);
    case Type::kFloat:
      return AppendBytes(&c->floats[row], 8, out);
    case Type::kString: {
      const std::string_view s = c->strs[row];
      const uint32_t n = static_cast<uint32_t>(s.size());
      AppendBytes(&n, 4, out);
      out->append(s);
      return;
    }
    case Type::kNull:
      return;
  }
}

Value KeyValue(const Vector& v, uint32_t row) {
  if (v.is_scalar) return v.scalar;
  const Column* c = ColumnAt(v, row);
  return c == nullptr ? Value() : CellValue(*c, row);
}

}  // namespace

bool EncodeKey(const Vector& v, uint32_t row, std::string* out) {
  if (v.is_scalar) {
    EncodeValue(v.scalar, out);
    return !v.scalar.is_null();
  }
  const Column* c =
      v.columns.size() == 1 && v.columns[0]->valid[row] ? v.columns[0] : ColumnAt(v, row);
  EncodeCell(c, row, out);
  return c != nullptr;
}

void GroupTable::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.gid_plus_1 == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].gid_plus_1 != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint32_t GroupTable::FindOrAdd(const std::vector<Vector>& keys, uint32_t row) {
  if (2 * (groups_ + 1) > slots_.size()) Grow();
  const uint64_t h = XXH3_64bits(buf_.data(), buf_.size());
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i].gid_plus_1 != 0; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash == h && EncodedKey(s.gid_plus_1 - 1) == buf_) return s.gid_plus_1 - 1;
  }
  const uint32_t g = static_cast<uint32_t>(groups_++);
  slots_[i] = Slot{h, g + 1};
  arena_.append(buf_);
  offsets_.push_back(arena_.size());
  for (const Vector& k : keys) {
    keys_.push_back(KeyValue(k, row));
    if (keys_.back().type() == Type::kString) value_bytes_ += std::get<std::string>(keys_.back().v).size();
  }
  return g;
}

// The group of row `row` by its encoded keys, skipping the lookup when they equal the
// previous row's.
uint32_t GroupTable::Lookup(const std::vector<Vector>& keys, uint32_t row) {
  buf_.clear();
  for (const Vector& k : keys) EncodeKey(k, row, &buf_);
  if (groups_ == 0 || buf_ != prev_) {
    prev_gid_ = FindOrAdd(keys, row);
    std::swap(prev_, buf_);
    prev_is_int_ = false;
  }
  return prev_gid_;
}

void GroupTable::Assign(const std::vector<Vector>& keys, const Sel& sel,
                        std::vector<uint32_t>* gids) {
  gids->resize(sel.size());
  uint32_t* out = gids->data();
  if (key_count_ == 0) {
    if (groups_ == 0) groups_ = 1;
    std::fill(gids->begin(), gids->end(), 0);
    return;
  }
  const Column* one = key_count_ == 1 && !keys[0].is_scalar && keys[0].columns.size() == 1
                          ? keys[0].columns[0]
                          : nullptr;
  if (one != nullptr && one->type == Type::kString && one->strs.codes() != nullptr) {
    // One string key read from a dictionary (a scanned block): look each entry up once.
    const uint32_t* codes = one->strs.codes();
    entry_gid_.assign(one->strs.dict_size(), kNoGroup);
    for (size_t i = 0; i < sel.size(); ++i) {
      const uint32_t row = sel[i];
      if (!one->valid[row] || codes[row] == StringVec::kNoCode) {
        out[i] = Lookup(keys, row);
        continue;
      }
      uint32_t& g = entry_gid_[codes[row]];
      if (g == kNoGroup) {
        buf_.clear();
        EncodeKey(keys[0], row, &buf_);
        g = FindOrAdd(keys, row);
      }
      out[i] = g;
    }
    return;
  }
  if (one != nullptr && one->type == Type::kInt) {
    // One int key (bin() of the timestamp, a status): compare the value itself with the
    // previous row's before encoding anything.
    const int64_t* ints = one->ints.data();
    const uint8_t* valid = one->valid.data();
    for (size_t i = 0; i < sel.size(); ++i) {
      const uint32_t row = sel[i];
      if (!valid[row]) {
        out[i] = Lookup(keys, row);
        continue;
      }
      const int64_t v = ints[row];
      if (!prev_is_int_ || v != prev_int_) {
        buf_.clear();
        EncodeKey(keys[0], row, &buf_);
        prev_gid_ = FindOrAdd(keys, row);
        std::swap(prev_, buf_);
        prev_is_int_ = true;
        prev_int_ = v;
      }
      out[i] = prev_gid_;
    }
    return;
  }
  for (size_t i = 0; i < sel.size(); ++i) out[i] = Lookup(keys, sel[i]);
}

}  // namespace vigil::query
