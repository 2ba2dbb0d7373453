#include "cli/diagnostics_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/http_client.h"
#include "cli/query_command.h"

namespace vigil {

namespace {

struct Flags {
  QueryCommandOptions query;
  std::string tenant, error_class, status, since, format = "table";
  std::string slow_since = "-1h";
  size_t limit = 50;
  std::string fingerprint, from;
};

// A string literal of the query language.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

void AddCommon(CLI::App* cmd, Flags& f) {
  cmd->add_option("--server", f.query.server, "Server URL")->capture_default_str();
  cmd->add_option("--data", f.query.data_dir, "Read this data directory directly (read-only)");
  cmd->add_option("--key", f.query.key, "API key")->envname("VIGIL_API_KEY");
  cmd->add_option("--format,-f", f.format, "Output: table, json (JSON lines) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_flag("--quiet,-q", f.query.quiet, "No summary line on stderr");
}

int RunQueryFor(Flags& f, std::string text) {
  f.query.query = std::move(text);
  f.query.format = f.format == "json" ? OutputFormat::kJson
                   : f.format == "csv" ? OutputFormat::kCsv
                                       : OutputFormat::kTable;
  return RunQueryCommand(f.query);
}

int ListErrors(Flags& f) {
  std::string q = "source errors";
  for (auto [field, value] : {std::pair{"tenant", &f.tenant}, {"class", &f.error_class}, {"status", &f.status}}) {
    if (!value->empty()) q += std::string(" | filter ") + field + " = " + Quote(*value);
  }
  q += " | fields fingerprint, tenant, class, count, last_seen_at, status, message, path"
       " | sort last_seen_at desc | limit " + std::to_string(f.limit);
  f.query.start = f.since;
  return RunQueryFor(f, q);
}

// Sends one API request and prints the JSON answer; 0 on 2xx, 1 on a 4xx, 2 otherwise.
int CallApi(const Flags& f, const std::string& method, const std::string& path, const std::string& body) {
  auto client = HttpClient::Create(f.query.server);
  if (!client.ok()) {
    std::fprintf(stderr, "vigil: %s\n", client.status().message().c_str());
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!f.query.key.empty()) headers.emplace_back("Authorization", "Bearer " + f.query.key);
  auto reply = (*client)->Send(method, path, body.empty() ? "" : "application/json", body, headers);
  if (!reply.ok()) {
    std::fprintf(stderr, "vigil: %s\n", reply.status().message().c_str());
    return 2;
  }
  std::printf("%s\n", reply->body.c_str());
  if (reply->status / 100 == 2) return 0;
  return reply->status / 100 == 4 ? 1 : 2;
}

}  // namespace

void AddDiagnosticsCommands(CLI::App& app, int& rc) {
  static Flags f;
  auto* errors = app.add_subcommand("errors", "Error groups per tenant (list, show, resolve, ignore, reopen, merge)");
  AddCommon(errors, f);
  errors->fallthrough();  // `errors show FP --server URL`: the options are the parent's
  errors->add_option("--tenant", f.tenant, "Only this tenant");
  errors->add_option("--class", f.error_class, "Only this class: Errors, ErrAPI, Err400");
  errors->add_option("--status", f.status, "Only this status: unresolved, resolved, ignored, regressed");
  errors->add_option("--since", f.since, "Only groups seen since (ISO 8601, epoch, or relative: -1h, -7d)");
  errors->add_option("--limit", f.limit, "Maximum groups")->capture_default_str();
  errors->callback([&rc, errors] {
    if (errors->get_subcommands().empty()) rc = ListErrors(f);
  });
  auto* show = errors->add_subcommand("show", "One group, its template and its latest occurrences (JSON)");
  show->add_option("fingerprint", f.fingerprint)->required();
  show->callback([&] { rc = CallApi(f, "GET", "/api/v1/errors/" + f.fingerprint, ""); });
  for (const char* action : {"resolve", "ignore", "reopen"}) {
    auto* cmd = errors->add_subcommand(action, std::string("Mark a group: ") + action);
    cmd->add_option("fingerprint", f.fingerprint)->required();
    cmd->callback([&f = f, &rc, action] {
      rc = CallApi(f, "POST", "/api/v1/errors/" + f.fingerprint + "/" + action, "");
    });
  }
  auto* merge = errors->add_subcommand("merge", "Merge group FROM into group INTO");
  merge->add_option("into", f.fingerprint)->required();
  merge->add_option("from", f.from)->required();
  merge->callback([&] {
    rc = CallApi(f, "POST", "/api/v1/errors/merge",
                 "{\"into\":" + Quote(f.fingerprint) + ",\"from\":" + Quote(f.from) + "}");
  });

  auto* slow = app.add_subcommand("slow", "Slow endpoints with their diagnosis, worst first");
  AddCommon(slow, f);
  slow->add_option("--tenant", f.tenant, "Only this tenant (per-tenant rows)");
  slow->add_option("--since", f.slow_since, "Window start (ISO 8601, epoch, or relative)")
      ->capture_default_str();
  slow->callback([&] {
    f.query.start = f.slow_since;
    if (f.tenant.empty()) {
      rc = RunQueryFor(f, "source slow_endpoints");
    } else {
      rc = RunQueryFor(f, "source slow_endpoints_by_tenant | filter tenant = " + Quote(f.tenant));
    }
  });
}

}  // namespace vigil
