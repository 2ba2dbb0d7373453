// Batch: Vigil's one in-memory representation of events.
//
// Ingest adapters build batches, the pipeline enriches them, the WAL serializes them,
// the memtable appends them, part blocks decode into them and the query executor
// reads them. A batch holds `rows` events column by column. A column is keyed by
// (name, type): a field that holds 500 on one event and "failure" on another becomes
// two columns, `status`/Int and `status`/String, each valid only on its own rows, so a
// comparison can only ever match values of a compatible type.
//
// Thread-safety: none; a Batch is a value owned by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil {

enum class Type : uint8_t { kNull = 0, kBool = 1, kInt = 2, kFloat = 3, kString = 4 };
const char* TypeName(Type t);

// Append-only strings: one byte buffer plus a (offset, length) span per row.
//
// Rows usually own their bytes back to back (push_back). Dictionary decoding instead
// appends the dictionary's entries once (BeginDict/AddDictEntry) and then rows that
// point at an entry (PushEntries): no bytes are copied per row. When every row of the
// vector came from one dictionary (or is empty), codes() gives each row's entry number
// (kNoCode for push_back_empty rows), so a group-by or a string test can work once per
// entry instead of once per row. Plain decoding copies a whole encoded section once
// (AppendBytes) and adds rows pointing into it (PushSpan), length prefixes in between.
class StringVec {
 public:
  static constexpr uint32_t kNoCode = 0xffffffffu;

  size_t size() const { return spans_.size(); }
  std::string_view operator[](size_t i) const {
    return {data_.data() + spans_[i].off, spans_[i].len};
  }
  void push_back(std::string_view s) {
    spans_.push_back(Span{data_.size(), static_cast<uint32_t>(s.size())});
    data_.append(s);
    coded_ = false;
  }
  // Appends n empty strings.
  void push_back_empty(size_t n) {
    spans_.resize(spans_.size() + n, Span{data_.size(), 0});
    if (coded_) codes_.resize(codes_.size() + n, kNoCode);
  }
  // Starts a dictionary of n entries holding `bytes` bytes in all.
  void BeginDict(size_t n, size_t bytes) {
    coded_ = spans_.empty();
    codes_.clear();
    dict_.clear();
    dict_.reserve(n);
    data_.reserve(data_.size() + bytes);
    contiguous_ = false;
    ordered_ = false;
  }
  // Appends `bytes` to the buffer without adding rows and returns their offset, for rows
  // added next with PushSpan (values decoded in place from an encoded section).
  uint64_t AppendBytes(std::string_view bytes) {
    const uint64_t at = data_.size();
    data_.append(bytes);
    contiguous_ = false;
    return at;
  }
  // Appends a row holding buffer bytes [off, off + len). REQUIRES: within the buffer, and
  // for rows to stay ordered(), off at or past the end of the previous row.
  void PushSpan(uint64_t off, uint32_t len) {
    if (!spans_.empty() && off < spans_.back().off + spans_.back().len) ordered_ = false;
    spans_.push_back(Span{off, len});
    coded_ = false;
    contiguous_ = false;
  }
  void AddDictEntry(std::string_view s) {
    dict_.push_back(Span{data_.size(), static_cast<uint32_t>(s.size())});
    data_.append(s);
  }
  size_t dict_size() const { return dict_.size(); }
  std::string_view dict_entry(size_t k) const { return {data_.data() + dict_[k].off, dict_[k].len}; }
  // Appends n rows: codes[i] is entry codes[i], or an empty row for kNoCode.
  // REQUIRES: every other code < dict_size().
  void PushEntries(const uint32_t* codes, size_t n) {
    const size_t base = spans_.size();
    spans_.resize(base + n);
    const Span empty{data_.size(), 0};
    for (size_t i = 0; i < n; ++i) spans_[base + i] = codes[i] == kNoCode ? empty : dict_[codes[i]];
    if (coded_) codes_.insert(codes_.end(), codes, codes + n);
  }
  // Each row's entry in the current dictionary (kNoCode: an empty row that is no entry),
  // or nullptr unless every row came from that dictionary.
  const uint32_t* codes() const { return coded_ ? codes_.data() : nullptr; }
  void reserve(size_t n, size_t bytes) {
    spans_.reserve(n);
    data_.reserve(bytes);
  }
  void clear() {
    data_.clear();
    spans_.clear();
    codes_.clear();
    dict_.clear();
    coded_ = false;
    contiguous_ = true;
    ordered_ = true;
  }
  // Keeps the first n strings. REQUIRES: n <= size().
  void truncate(size_t n) {
    if (n == 0) return clear();
    if (contiguous_ && n < spans_.size()) data_.resize(spans_[n].off);
    spans_.resize(n);
    if (coded_) codes_.resize(n);
  }
  // Bytes in the buffer (dictionary entries count once).
  size_t bytes() const { return data_.size(); }
  // Heap bytes held, including spare capacity.
  size_t CapacityBytes() const {
    return data_.capacity() + spans_.capacity() * sizeof(Span) + codes_.capacity() * 4 +
           dict_.capacity() * sizeof(Span);
  }
  // Whether the rows' bytes lie back to back in row order in one buffer (ContiguousData()).
  bool contiguous() const { return contiguous_; }
  // Whether the rows' bytes lie in row order in the buffer, not overlapping, perhaps with
  // other bytes between them (so a search of the whole buffer can map hits to rows).
  bool ordered() const { return ordered_; }
  // The buffer; the rows' bytes in row order when contiguous() (or ordered(), with gaps).
  const std::string& ContiguousData() const { return data_; }

 private:
  struct Span {
    uint64_t off;
    uint32_t len;
  };
  std::string data_;
  std::vector<Span> spans_;
  std::vector<uint32_t> codes_;  // one per row while coded_
  std::vector<Span> dict_;       // the current dictionary's entries
  bool coded_ = false;
  bool contiguous_ = true;
  bool ordered_ = true;
};

// One typed column over `rows` rows. Exactly one of the value vectors is used:
// ints for kBool (0/1) and kInt, floats for kFloat, strs for kString. Every vector has
// one entry per row; invalid rows hold a zero/empty placeholder.
struct Column {
  std::string name;
  Type type = Type::kNull;
  std::vector<uint8_t> valid;  // 1 when the row has a value of this type
  std::vector<int64_t> ints;
  std::vector<double> floats;
  StringVec strs;

  size_t size() const { return valid.size(); }
  bool IsValid(size_t row) const { return valid[row] != 0; }
  // Appends an invalid row (placeholder value).
  void AppendNull();
  void AppendInt(int64_t v);
  void AppendFloat(double v);
  void AppendString(std::string_view v);
  // Appends row `row` of `src` (same type) to this column.
  void AppendFrom(const Column& src, size_t row);
  // Keeps the first n rows. REQUIRES: n <= size().
  void Truncate(size_t n);
  // Heap bytes held, counting spare capacity (what the memory budget really pays).
  size_t MemoryBytes() const;
};

// Columns sharing one row count. Column order carries no meaning.
struct Batch {
  size_t rows = 0;
  std::vector<Column> columns;

  // Column with this name and type, or nullptr.
  const Column* Find(std::string_view name, Type type) const;
  // All columns with this name (one per type present).
  std::vector<const Column*> FindAll(std::string_view name) const;
  // Appends the rows of `other`, adding columns as needed and padding with nulls.
  void Append(const Batch& other);
  // Appends the given rows of `src` in order (a gather).
  void AppendRows(const Batch& src, const std::vector<uint32_t>& rows);
  size_t MemoryBytes() const;
};

// Builds a Batch row by row:
//   b.BeginRow(); b.AddInt("status", 500); b.AddString("path", "/x"); b.EndRow();
// Adding the same (name, type) twice in one row keeps the last value.
// Every Add* is O(1) amortized and allocation-free once the column exists: rows of one
// source usually repeat the previous row's field order, so the builder first checks the
// column the previous row used at the same position before it hashes the name.
class BatchBuilder {
 public:
  void BeginRow() {}
  void AddNull(std::string_view) {}  // absent and null are the same in storage
  void AddBool(std::string_view name, bool v);
  void AddInt(std::string_view name, int64_t v);
  void AddFloat(std::string_view name, double v);
  void AddString(std::string_view name, std::string_view v);
  void EndRow();
  // Discards the values added since BeginRow (a rejected line), including columns that
  // only that row created: the batch is as if the row was never started.
  void AbortRow();
  size_t rows() const { return batch_.rows; }
  // Returns the built batch and resets the builder.
  Batch Finish();

 private:
  // Hash with is_transparent so lookups by string_view do not build a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kTypes = 5;
  using TypeSlots = std::array<uint32_t, kTypes>;  // column index + 1 per Type; 0 = none

  Column& Get(std::string_view name, Type type);
  size_t Lookup(std::string_view name, Type type);
  void StartNewRow();

  Batch batch_;
  std::unordered_map<std::string, TypeSlots, NameHash, std::equal_to<>> index_;
  std::vector<uint32_t> row_cols_;   // columns written in the current row, in call order
  std::vector<uint32_t> prev_cols_;  // the same for the previous finished row
  size_t row_start_columns_ = 0;     // batch_.columns.size() when the row began
};

// Well-known field names (DESIGN.md section 1).
namespace field {
inline constexpr std::string_view kTimestamp = "@timestamp";  // Int, ns since epoch
inline constexpr std::string_view kIngested = "@ingested";    // Int, ns since epoch
inline constexpr std::string_view kKind = "@kind";
inline constexpr std::string_view kMessage = "@message";  // only stored for plain-text lines
inline constexpr std::string_view kGroup = "@group";
inline constexpr std::string_view kStream = "@stream";
inline constexpr std::string_view kLevel = "@level";
inline constexpr std::string_view kTenant = "@tenant";
inline constexpr std::string_view kErrorClass = "@error_class";
inline constexpr std::string_view kFingerprint = "@fingerprint";
inline constexpr std::string_view kDiagnosis = "@diagnosis";
}  // namespace field

}  // namespace vigil
