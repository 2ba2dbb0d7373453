// Part metadata (index.bin): the schema, the blocks and, per block and column, where
// its chunk lies in data.bin plus min/max and bloom filter used to skip it.
// Format: docs/formats/part.md.
//   index.bin = [u32 magic "VGLP"][u32 version][payload][u32 masked crc32c(payload)]
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace vigil {

struct ChunkMeta {
  uint32_t column = 0;  // index into PartMeta::columns
  uint64_t offset = 0;  // in data.bin
  uint32_t length = 0;
  bool has_minmax = false;  // Int/Float/Bool chunks with at least one valid value
  double min = 0;           // numeric bounds as doubles (exact for |v| < 2^53;
  double max = 0;           // rounded outward otherwise, so pruning stays safe)
  std::string bloom;        // BuildBloom output; empty = no filter
  bool bloom_has_tokens = false;  // bloom holds the words of each value, not whole values
};

struct BlockMeta {
  uint32_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  std::vector<ChunkMeta> chunks;  // only columns with at least one valid row
};

struct PartColumn {
  std::string name;
  Type type = Type::kNull;
};

struct PartMeta {
  uint64_t id = 0;
  uint32_t level = 0;  // 0 = written by a flush; merges produce max(level)+1
  uint64_t min_lsn = 0;
  uint64_t max_lsn = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t rows = 0;
  uint64_t data_bytes = 0;
  std::vector<uint64_t> replaces;  // ids of the parts this merged part supersedes
  std::vector<PartColumn> columns;
  std::vector<BlockMeta> blocks;
};

std::string EncodePartMeta(const PartMeta& meta);
// Validates magic, version, CRC and every offset against data_bytes.
Result<PartMeta> DecodePartMeta(std::string_view file);

}  // namespace vigil
