// Pipeline step applied to every ingested batch before it is stored: normalization
// (@level, @tenant, @kind) and derivation (@error_class, @fingerprint, @diagnosis).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace vigil {

// `fingerprint_rules` of the config: an error whose message matches `match` (an RE2
// pattern, unanchored) gets the fixed group name `fingerprint` instead of its template,
// so users can merge what normalization keeps apart or split what it merges.
struct FingerprintRule {
  std::string match;
  std::string fingerprint;
  std::shared_ptr<const re2::RE2> re;  // set by CompileFingerprintRules
};

// Compiles every rule's pattern. InvalidArgument naming the first bad rule.
Status CompileFingerprintRules(std::vector<FingerprintRule>& rules);

struct ErrorOptions {
  bool enabled = true;
  // An explicit class on the event (the runbook's Errors / ErrAPI / Err400).
  std::string class_field = "error_class";
  // Events at these @levels are error-like (besides those with a class field).
  std::vector<std::string> levels = {"ERROR", "FATAL"};
  // The message is the first of these present; a stack trace the first of stack_fields
  // (or a Python traceback inside the message).
  std::vector<std::string> message_fields = {"error_message", "error", "exception.message",
                                             "exception.type", "message", "msg", "@message"};
  std::vector<std::string> stack_fields = {"stack", "stacktrace", "stack_trace", "exc_info",
                                           "traceback", "exception", "exception.stacktrace"};
  std::vector<FingerprintRule> rules;
};

// Slow-page diagnosis of one request (an event with duration_ms, query_count and
// query_total_ms), checked in this order:
//   n_plus_one    query_count >= n_plus_one_queries
//   slow_queries  query_total_ms >= slow_query_total_ms
//   python_bound  duration_ms >= slow_duration_ms and DB share < python_db_share
//   ok            otherwise
struct DiagnosisOptions {
  bool enabled = true;
  double n_plus_one_queries = 40;
  double slow_query_total_ms = 500;
  double slow_duration_ms = 1000;
  double python_db_share = 0.5;
};

struct PipelineOptions {
  // @tenant is copied from the first of these fields present on the event.
  std::vector<std::string> tenant_fields = {"agency_db", "db_name"};
  // @kind "cron" for events with a string `cron_job_field`, "external" for events with a
  // string `external_api_field` (when the event has no @kind of its own).
  std::string cron_job_field = "job_name";
  std::string external_api_field = "external_api";
  ErrorOptions errors;
  DiagnosisOptions diagnosis;
};

// Adds @level (TRACE DEBUG INFO WARN ERROR FATAL, from level/severity/levelname, string
// names or syslog/OTel numbers), @tenant, @kind, and the derived fields below. Never
// changes the user's own fields. Thread-safe.
//   @error_class, @fingerprint  on error-like events (error_groups.h)
//   @diagnosis                  on request events (DiagnosisOptions)
void NormalizeBatch(Batch& batch, const PipelineOptions& options);

}  // namespace vigil
