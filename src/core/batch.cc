#include "core/batch.h"

#include <cassert>

namespace vigil {

const char* TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kFloat: return "float";
    case Type::kString: return "string";
  }
  return "?";
}

void Column::AppendNull() {
  valid.push_back(0);
  switch (type) {
    case Type::kBool:
    case Type::kInt: ints.push_back(0); break;
    case Type::kFloat: floats.push_back(0); break;
    case Type::kString: strs.push_back({}); break;
    case Type::kNull: break;
  }
}

void Column::AppendInt(int64_t v) {
  valid.push_back(1);
  ints.push_back(v);
}

void Column::AppendFloat(double v) {
  valid.push_back(1);
  floats.push_back(v);
}

void Column::AppendString(std::string_view v) {
  valid.push_back(1);
  strs.push_back(v);
}

void Column::AppendFrom(const Column& src, size_t row) {
  valid.push_back(src.valid[row]);
  switch (type) {
    case Type::kBool:
    case Type::kInt: ints.push_back(src.ints[row]); break;
    case Type::kFloat: floats.push_back(src.floats[row]); break;
    case Type::kString: strs.push_back(src.strs[row]); break;
    case Type::kNull: break;
  }
}

void Column::Truncate(size_t n) {
  valid.resize(n);
  switch (type) {
    case Type::kBool:
    case Type::kInt: ints.resize(n); break;
    case Type::kFloat: floats.resize(n); break;
    case Type::kString: strs.truncate(n); break;
    case Type::kNull: break;
  }
}

size_t Column::MemoryBytes() const {
  return valid.capacity() + ints.capacity() * 8 + floats.capacity() * 8 + strs.CapacityBytes() +
         name.capacity();
}

const Column* Batch::Find(std::string_view name, Type type) const {
  for (const auto& c : columns)
    if (c.type == type && c.name == name) return &c;
  return nullptr;
}

std::vector<const Column*> Batch::FindAll(std::string_view name) const {
  std::vector<const Column*> out;
  for (const auto& c : columns)
    if (c.name == name) out.push_back(&c);
  return out;
}

namespace {

Column* FindOrAdd(Batch& b, const Column& like) {
  for (auto& c : b.columns)
    if (c.type == like.type && c.name == like.name) return &c;
  Column& c = b.columns.emplace_back();
  c.name = like.name;
  c.type = like.type;
  for (size_t i = 0; i < b.rows; ++i) c.AppendNull();
  return &c;
}

}  // namespace

void Batch::Append(const Batch& other) {
  std::vector<uint32_t> all(other.rows);
  for (size_t i = 0; i < other.rows; ++i) all[i] = static_cast<uint32_t>(i);
  AppendRows(other, all);
}

void Batch::AppendRows(const Batch& src, const std::vector<uint32_t>& rows_to_add) {
  std::vector<bool> filled(columns.size(), false);
  for (const auto& sc : src.columns) {
    Column* dst = FindOrAdd(*this, sc);
    filled.resize(columns.size(), false);
    filled[dst - columns.data()] = true;
    for (uint32_t r : rows_to_add) dst->AppendFrom(sc, r);
  }
  for (size_t i = 0; i < columns.size(); ++i)
    if (!filled[i])
      for (size_t k = 0; k < rows_to_add.size(); ++k) columns[i].AppendNull();
  rows += rows_to_add.size();
}

size_t Batch::MemoryBytes() const {
  size_t n = 0;
  for (const auto& c : columns) n += c.MemoryBytes();
  return n;
}

size_t BatchBuilder::Lookup(std::string_view name, Type type) {
  auto it = index_.find(name);
  if (it == index_.end()) it = index_.emplace(std::string(name), TypeSlots{}).first;
  uint32_t& slot = it->second[static_cast<size_t>(type)];
  if (slot == 0) {
    Column& c = batch_.columns.emplace_back();
    c.name = std::string(name);
    c.type = type;
    for (size_t i = 0; i < batch_.rows; ++i) c.AppendNull();
    slot = static_cast<uint32_t>(batch_.columns.size());
  }
  return slot - 1;
}

Column& BatchBuilder::Get(std::string_view name, Type type) {
  size_t pos = row_cols_.size();
  size_t idx;
  if (pos < prev_cols_.size() && batch_.columns[prev_cols_[pos]].type == type &&
      batch_.columns[prev_cols_[pos]].name == name) {
    idx = prev_cols_[pos];
  } else {
    idx = Lookup(name, type);
  }
  row_cols_.push_back(static_cast<uint32_t>(idx));
  Column& c = batch_.columns[idx];
  if (c.size() > batch_.rows) c.Truncate(batch_.rows);  // second write in this row wins
  return c;
}

void BatchBuilder::AddBool(std::string_view name, bool v) { Get(name, Type::kBool).AppendInt(v); }
void BatchBuilder::AddInt(std::string_view name, int64_t v) { Get(name, Type::kInt).AppendInt(v); }
void BatchBuilder::AddFloat(std::string_view name, double v) {
  Get(name, Type::kFloat).AppendFloat(v);
}
void BatchBuilder::AddString(std::string_view name, std::string_view v) {
  Get(name, Type::kString).AppendString(v);
}

void BatchBuilder::StartNewRow() {
  prev_cols_.swap(row_cols_);
  row_cols_.clear();
  row_start_columns_ = batch_.columns.size();
}

void BatchBuilder::EndRow() {
  ++batch_.rows;
  for (auto& c : batch_.columns)
    if (c.size() < batch_.rows) c.AppendNull();
  StartNewRow();
}

void BatchBuilder::AbortRow() {
  for (uint32_t idx : row_cols_) batch_.columns[idx].Truncate(batch_.rows);
  // Columns this row created would stay behind as all-null columns: remove them.
  while (batch_.columns.size() > row_start_columns_) {
    Column& c = batch_.columns.back();
    auto it = index_.find(c.name);
    it->second[static_cast<size_t>(c.type)] = 0;
    if (it->second == TypeSlots{}) index_.erase(it);
    batch_.columns.pop_back();
  }
  row_cols_.clear();  // keep prev_cols_: the next row likely looks like the last good one
}

Batch BatchBuilder::Finish() {
  Batch out = std::move(batch_);
  batch_ = Batch{};
  index_.clear();
  row_cols_.clear();
  prev_cols_.clear();
  row_start_columns_ = 0;
  return out;
}

}  // namespace vigil
