// `vigil query`: runs a query on a server, or directly on a data directory (read-only,
// also while a server is running on it: the runbook's emergency access).
#pragma once

#include <optional>
#include <string>

#include "cli/result_table.h"

namespace vigil {

struct QueryCommandOptions {
  std::string query;
  std::string server = "http://127.0.0.1:7700";
  std::string data_dir;  // when set, read this directory instead of asking a server
  std::string key;
  std::string start, end;  // as ParseTimeArg reads them; empty = engine default
  std::optional<size_t> limit;
  OutputFormat format = OutputFormat::kTable;
  bool quiet = false;    // no summary line on stderr
  bool explain = false;  // print the plan instead of running the query
};

// Returns the exit code: 0 on success, 1 when the query was rejected, 2 when the server
// or directory could not be read.
int RunQueryCommand(const QueryCommandOptions& options);

}  // namespace vigil
