// Config: the server's settings, read from the YAML file given to `vigil serve --config`.
//
// Every key is optional; missing keys keep the defaults below. Unknown top-level keys are
// allowed because other features add their own sections (`alerting:`, ...) and read them
// from `Config::raw`; unknown keys inside the sections this file owns (`query:`, an
// `api_keys` entry) are errors, so typos are caught at start.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "pipeline/normalize.h"

namespace vigil {

// What an API key may do. These are not ordered: ingest may only write events, read may
// only query them, admin may do everything.
enum class Role : uint8_t { kIngest, kRead, kAdmin };
const char* RoleName(Role r);

struct ApiKey {
  std::string key;
  Role role = Role::kRead;
  std::string name;  // for logs; defaults to "key-<index>"
};

struct QueryConfig {
  // Wall-clock budget of one query; a query that runs longer fails with a clear error.
  int64_t timeout_ms = 30'000;
  size_t max_rows = 10'000;  // cap on rows returned by one query
};

struct Config {
  std::string listen = "127.0.0.1:7700";  // HOST:PORT; port 0 picks a free port
  std::string data_dir = "./data";
  size_t max_body_bytes = 64u << 20;  // per request, after decompression
  // Request bytes all connections may hold at once (503 + Retry-After beyond); 0: 8 x
  // max_body_bytes.
  size_t max_inflight_body_bytes = 0;
  // Large enough that a single 20 MB line is accepted; longer lines are rejected one by
  // one with the limit in the reason.
  size_t max_line_bytes = 32u << 20;
  int retention_days = 0;  // 0 = keep forever
  std::vector<std::string> tenant_fields = {"agency_db", "db_name"};
  std::vector<std::string> id_fields = {"request_id", "trace_id"};
  std::vector<ApiKey> api_keys;  // empty = authentication off (loopback only)
  QueryConfig query;
  // `errors:`, `fingerprint_rules:` and `diagnosis:` (docs/errors.md, docs/views/slow_endpoints.md).
  // tenant_fields above is copied into pipeline.tenant_fields.
  PipelineOptions pipeline;
  YAML::Node raw;  // the whole document, for sections owned by other modules
};

// Reads and validates the YAML file at `path`. Returns IOError when it cannot be read and
// InvalidArgument naming the key (and its line) when a value is malformed.
Result<Config> LoadConfig(const std::string& path);

// Same as LoadConfig for YAML text already in memory; `source` names it in errors.
// An empty document yields the defaults.
Result<Config> ParseConfig(std::string_view yaml, std::string_view source = "config");

// Splits "HOST:PORT" ("[::1]:7700" for IPv6). Returns InvalidArgument when malformed.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view listen);

}  // namespace vigil
