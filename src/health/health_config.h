// The health views' settings, read from the YAML config (Config::raw):
//
//   health:
//     external_apis:
//       api_field: external_api        # names the API; an event with it is a call
//       kinds: [external]              # so is an event whose kind / @kind is one of these
//       name_fields: [service, host]   # the API's name when api_field is absent
//       host_field: host               # an event with host and latency_ms is a call too
//       latency_fields: [latency_ms, duration_ms]
//       status_fields: [status, status_code]   # HTTP status of the call (a number)
//       url_fields: [url, path, endpoint]
//       operation_field: operation     # the endpoint when there is no URL
//       success_field: success         # false marks an error
//       method_field: method
//       error_fields: [error, error_message]
//       message_field: message
//       max_rows: 5000000              # calls one query may gather
//     status:
//       default_interval: 1h           # a check with no report for this long is stale
//       checks: {email_sync: {interval: 15m}}
//       from_logs: true                # log events with `check` and `status` are reports
//       fields: {check: check, entity: entity, tenant: tenant, status: status, reason: reason}
//   analytics:
//     project_keys: [phc_...]          # write-only keys for the PostHog capture endpoints
//     tenant_properties: [tenant, agency_db, db_name]
//
// Every key is optional; unknown keys are errors naming the key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::health {

struct ExternalApiConfig {
  std::string api_field = "external_api";  // names the API; its presence makes a call
  // Events whose `kind` (or `@kind`) is one of these are calls too (the Python SDK's
  // external_call records).
  std::vector<std::string> kinds = {"external"};
  std::vector<std::string> name_fields = {"service", "host"};  // name a call without api_field
  std::string host_field = "host";  // host + the first latency field also make a call
  std::vector<std::string> latency_fields = {"latency_ms", "duration_ms"};
  std::vector<std::string> status_fields = {"status", "status_code"};
  std::vector<std::string> url_fields = {"url", "path", "endpoint"};
  std::string operation_field = "operation";  // the endpoint of a call without a URL
  std::string success_field = "success";      // Bool false marks an error
  std::string method_field = "method";
  std::vector<std::string> error_fields = {"error", "error_message"};
  std::string message_field = "message";
  size_t max_rows = 5'000'000;
};

struct StatusFields {
  std::string check = "check";
  std::string entity = "entity";
  std::string tenant = "tenant";
  std::string status = "status";
  std::string reason = "reason";
};

struct StatusConfig {
  int64_t default_interval_ns = int64_t{3600} * 1'000'000'000;
  std::map<std::string, int64_t, std::less<>> intervals_ns;  // per check name
  bool from_logs = true;
  StatusFields fields;  // of log events (POSTed reports always use the default names)

  // The expected reporting interval of `check`.
  int64_t IntervalFor(std::string_view check) const;
};

struct AnalyticsConfig {
  std::vector<std::string> project_keys;
  // @tenant of an analytics event: the first of these properties that holds a string.
  std::vector<std::string> tenant_properties = {"tenant", "agency_db", "db_name"};
};

struct HealthConfig {
  ExternalApiConfig external;
  StatusConfig status;
  AnalyticsConfig analytics;
};

// Reads the `health:` and `analytics:` sections of `raw` (a whole config document; null or
// missing sections give the defaults). InvalidArgument names the bad key.
Result<HealthConfig> ParseHealthConfig(const YAML::Node& raw);

// "90s", "15m", "2h", "1d", "500ms" or a plain number of seconds -> ns. InvalidArgument
// for anything else, zero or negative.
Result<int64_t> ParseInterval(std::string_view text);

}  // namespace vigil::health
