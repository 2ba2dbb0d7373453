// A query result as the CLI prints it, whether it came from a server (JSON) or from a
// data directory read directly (QueryResult), and the three output formats.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/query.h"

namespace vigil {

struct Cell {
  enum class Kind { kNull, kString, kRaw };  // kRaw: a JSON number or bool, printed as is
  Kind kind = Kind::kNull;
  std::string text;
};

struct ResultTable {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string summary;  // one line: rows, records scanned, time range, elapsed
};

enum class OutputFormat { kTable, kJson, kCsv };

ResultTable TableFromResult(const QueryResult& r);
// Parses a /api/v1/query response body.
Result<ResultTable> TableFromJson(std::string_view body);

// Writes `t` to `out`: an aligned text table, JSON lines (one object per row) or CSV
// (RFC 4180 quoting) with a header row.
void PrintResultTable(const ResultTable& t, OutputFormat format, std::FILE* out);

}  // namespace vigil
