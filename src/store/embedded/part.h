// A part: an immutable directory of rows sorted by (@tenant, @timestamp), stored column
// by column in blocks. data.bin holds the column chunks back to back; index.bin
// (part_meta.h) says where each chunk is. Format: docs/formats/part.md.
//
// PartWriter writes `tmp-<id>/`, fsyncs both files and the directory, then renames it
// to `<id>/`, so a part directory without the `tmp-` prefix is always complete.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "store/embedded/part_meta.h"

namespace vigil {

struct PartWriterOptions {
  int zstd_level = 3;
  // String fields whose bloom filters hold whole values only (no words): ids.
  std::vector<std::string> id_fields = {"request_id", "trace_id"};
  // String fields whose bloom filters also hold every word of each value.
  std::vector<std::string> text_fields = {"@message", "message", "msg", "error_message", "error"};
};

// Directory name of part `id` (16 hex digits), and of its temporary form.
std::string PartDirName(uint64_t id);
std::string TempPartDirName(uint64_t id);

class PartWriter {
 public:
  // `header` supplies id, level, LSN range and replaces; the rest is computed.
  static Result<std::unique_ptr<PartWriter>> Create(const std::string& partition_dir,
                                                    PartMeta header, PartWriterOptions options);
  ~PartWriter();  // removes the temp directory unless Finish succeeded

  // Writes rows [begin, end) of `rows` as one block. REQUIRES: they are sorted by
  // (@tenant, @timestamp) after every row written before, and carry Int @timestamp.
  Status WriteBlock(const Batch& rows, size_t begin, size_t end);
  // Writes index.bin, fsyncs, renames into place. Returns the final metadata.
  Result<PartMeta> Finish();

 private:
  PartWriter() = default;
  uint32_t ColumnIndex(const Column& c);
  void AddChunkMeta(const Column& c, size_t begin, size_t end, ChunkMeta* m) const;
  Status FlushBuffer();

  std::string partition_dir_;
  std::string tmp_dir_;
  PartWriterOptions options_;
  PartMeta meta_;
  std::unordered_map<std::string, uint32_t> column_index_;
  int fd_ = -1;
  std::string buffer_;
  bool finished_ = false;
};

// An opened part. Immutable and shared by concurrent readers; the open file descriptor
// keeps the data readable even after a merge deletes the directory.
class Part {
 public:
  static Result<std::shared_ptr<Part>> Open(const std::string& dir);
  ~Part();

  const PartMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const std::string& partition() const { return partition_; }

  // Decodes the given chunk of block `block` and appends its rows to `out` (whose name
  // and type the caller sets from meta().columns). Thread-safe.
  Status ReadChunk(const ChunkMeta& chunk, uint32_t block_rows, Column* out,
                   uint64_t* bytes_read) const;
  // Decodes block `block` with the columns whose index is in `want` (all when null).
  Result<Batch> ReadBlock(size_t block, const std::vector<bool>* want, uint64_t* bytes_read) const;
  // Rows of block `block` whose String column chunk `chunk` equals `literal`.
  Status FindEqual(size_t block, const ChunkMeta& chunk, std::string_view literal,
                   std::vector<uint32_t>* rows, uint64_t* bytes_read) const;
  // Rows of block `block` whose String column chunk `chunk` contains `needle`
  // (FindContainingRows).
  Status FindContaining(size_t block, const ChunkMeta& chunk, std::string_view needle,
                        bool or_escaped, std::vector<uint32_t>* rows, uint64_t* bytes_read) const;
  // As ReadBlock, but only the rows in `pick` (ascending): for selective scans.
  Result<Batch> ReadBlockRows(size_t block, const std::vector<bool>* want,
                              const std::vector<uint32_t>& pick, uint64_t* bytes_read) const;

  Part(const Part&) = delete;
  Part& operator=(const Part&) = delete;

 private:
  Part() = default;
  Status ReadChunkBytes(const ChunkMeta& chunk, std::string* buf, uint64_t* bytes_read) const;
  std::string dir_;
  std::string partition_;
  PartMeta meta_;
  int fd_ = -1;
};

}  // namespace vigil
