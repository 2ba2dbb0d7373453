// `vigil ship`: tails files (or stdin) and ships their lines to a Vigil server in
// batches, behind the runbook's circuit breaker, losing nothing: while the breaker is
// open lines go to the console (or a fallback file) and to an on-disk spool that is
// replayed in order once the server is back. See docs/ship.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ship/http_transport.h"

namespace vigil {

struct ShipOptions {
  std::vector<std::string> files;  // "-" is stdin (alone)
  std::string server = "http://127.0.0.1:7700";
  std::string key;                 // API key with the ingest role; empty: none
  std::string group;               // @group; empty: the first file's name without extension
  std::string stream;              // @stream; empty: the host name
  std::string state_dir;           // empty: DefaultShipStateDir(*this)
  size_t batch_bytes = 1u << 20;
  double batch_seconds = 1.0;
  Compression compression = Compression::kZstd;
  double timeout_seconds = 10;     // per request
  int breaker_failures = 3;
  double breaker_cooldown_seconds = 60;
  double retry_seconds = 1;        // wait between failed attempts while the breaker is closed
  std::string fallback_file;       // while open: lines go here ("-" stdout); empty: stderr
  uint64_t spool_max_bytes = 256ull << 20;
  double status_seconds = 60;      // status line on stderr; 0: only on changes
  double poll_seconds = 0.1;       // how often idle files are checked for new lines
  bool sync = true;                // fsync state and spool (off: survives a crash of the
                                   // shipper, not of the machine)
  bool exit_at_eof = false;        // stop once every file is read to its end and shipped
};

// Where the shipper keeps its state when --state is not given:
// $XDG_STATE_HOME (or ~/.local/state) /vigil/ship/<hash of server, group and files>.
std::string DefaultShipStateDir(const ShipOptions& options);

// Ships until `stop` becomes true (then saves its state and returns OK), or until the
// input ends (stdin closed; files at their end with exit_at_eof) and everything is
// shipped. Returns InvalidArgument for bad options, Unavailable when another shipper
// uses the state directory, IOError when the state directory fails.
Status RunShipper(const ShipOptions& options, const std::atomic<bool>& stop);

// For `vigil ship --status`: the last status report (one JSON object) in the state
// directory `dir`, and whether a shipper holds that directory now. NotFound when there
// is no report.
Result<std::string> ReadShipStatus(const std::string& dir, bool* running);

}  // namespace vigil
