#include "store/embedded/batch_codec.h"

#include "core/varint.h"
#include "store/embedded/column_codec.h"

namespace vigil {

namespace {
constexpr uint8_t kBatchVersion = 1;
constexpr uint64_t kMaxRows = 1ull << 28;
constexpr uint64_t kMaxColumns = 1ull << 16;
}  // namespace

void EncodeBatch(const Batch& batch, int zstd_level, std::string* out) {
  out->push_back(static_cast<char>(kBatchVersion));
  PutVarint(out, batch.rows);
  PutVarint(out, batch.columns.size());
  std::string chunk;
  for (const Column& c : batch.columns) {
    PutString(out, c.name);
    out->push_back(static_cast<char>(c.type));
    chunk.clear();
    EncodeColumnChunk(c, 0, batch.rows, zstd_level, &chunk);
    PutString(out, chunk);
  }
}

Result<Batch> DecodeBatch(std::string_view in) {
  ByteReader r(in);
  uint8_t version;
  uint64_t rows, ncols;
  if (!r.Byte(&version) || version != kBatchVersion) return Status::Corruption("batch: bad version");
  if (!r.Varint(&rows) || !r.Varint(&ncols) || rows > kMaxRows || ncols > kMaxColumns)
    return Status::Corruption("batch: bad header");
  Batch b;
  b.rows = rows;
  b.columns.reserve(ncols);
  for (uint64_t i = 0; i < ncols; ++i) {
    std::string_view name, chunk;
    uint8_t type;
    if (!r.String(&name) || !r.Byte(&type) || !r.String(&chunk) || type < 1 || type > 4)
      return Status::Corruption("batch: bad column header");
    Column& c = b.columns.emplace_back();
    c.name = std::string(name);
    c.type = static_cast<Type>(type);
    RETURN_IF_ERROR(DecodeColumnChunk(chunk, c.type, rows, &c));
    if (c.size() != rows) return Status::Corruption("batch: column row count mismatch");
  }
  return b;
}

}  // namespace vigil
