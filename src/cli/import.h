// `vigil import FILE…`: bulk-loads JSON-lines files through the ingest pipeline, either
// over HTTP to a running server or straight into a data directory nobody else writes.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct ImportOptions {
  std::vector<std::string> files;  // "-" reads stdin
  std::string server;              // http://host:port; used when data_dir is empty
  std::string data_dir;            // write directly (takes the directory's lock)
  std::string key;                 // API key for the server
  std::string group, stream;
  size_t batch_bytes = 1u << 20;
  int parallel = 2;                // concurrent requests to the server
  bool progress = true;            // progress bar on a terminal, periodic lines otherwise
};

// Returns the process exit code: 0 when every line was accepted, 1 when some lines were
// rejected (they are listed on stderr), 2 on a fatal error.
int RunImport(const ImportOptions& options);

}  // namespace vigil
