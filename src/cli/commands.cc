#include "cli/commands.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/alarms_command.h"
#include "cli/diagnostics_command.h"
#include "cli/import.h"
#include "cli/modules.h"
#include "cli/query_command.h"
#include "cli/ship_command.h"
#include "cli/silence_command.h"
#include "server/server.h"
#include "store/store.h"

namespace vigil {

namespace {

struct ServeFlags {
  std::string data_dir;
  std::string listen;
  std::string config_path;
};

// Blocks SIGINT/SIGTERM/SIGHUP in this thread and every thread started after, so that
// only the sigwait below sees them.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "vigil: %s: %s\n", what, s.ToString().c_str());
  return 2;
}

int RunServe(const ServeFlags& f) {
  sigset_t signals = BlockShutdownSignals();
  Config config;
  if (!f.config_path.empty()) {
    auto c = LoadConfig(f.config_path);
    if (!c.ok()) return Fail("config", c.status());
    config = std::move(c).value();
  }
  if (!f.data_dir.empty()) config.data_dir = f.data_dir;
  if (!f.listen.empty()) config.listen = f.listen;

  EmbeddedOptions so;
  so.dir = config.data_dir;
  so.retention_days = config.retention_days;
  so.id_fields = config.id_fields;
  auto store = OpenEmbeddedStore(so);
  if (!store.ok()) return Fail("opening the data directory", store.status());
  ServerOptions options;
  options.modules = AllModules();
  if (!f.config_path.empty()) {
    options.load_config = [path = f.config_path] { return LoadConfig(path); };
  }
  auto server = Server::Start(config, **store, options);
  if (!server.ok()) {
    (void)(*store)->Close();
    return Fail("starting the server", server.status());
  }
  std::printf("vigil: listening on http://%s (data: %s)\n", (*server)->address().c_str(),
              config.data_dir.c_str());
  std::fflush(stdout);

  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    if (f.config_path.empty()) {
      std::fprintf(stderr, "vigil: SIGHUP: no --config file to reload\n");
      continue;
    }
    auto c = LoadConfig(f.config_path);
    Status s = c.ok() ? (*server)->Reload(c.value()) : c.status();
    if (s.ok()) {
      std::fprintf(stderr, "vigil: SIGHUP: configuration reloaded\n");
    } else {
      std::fprintf(stderr, "vigil: SIGHUP: reload failed, keeping the old configuration: %s\n",
                   s.ToString().c_str());
    }
  }
  std::fprintf(stderr, "vigil: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
  Status s = (*store)->Close();
  if (!s.ok()) return Fail("flushing the store", s);
  std::fprintf(stderr, "vigil: stopped cleanly\n");
  return 0;
}

void AddServe(CLI::App& app, ServeFlags& f, int& rc) {
  auto* cmd = app.add_subcommand("serve", "Run the server on an embedded data directory");
  cmd->add_option("--data", f.data_dir, "Data directory (default from config, else ./data)");
  cmd->add_option("--listen", f.listen, "HOST:PORT to listen on (default 127.0.0.1:7700)");
  cmd->add_option("--config", f.config_path, "YAML config file");
  cmd->callback([&] { rc = RunServe(f); });
}

void AddQuery(CLI::App& app, QueryCommandOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("query", "Run a query (Logs Insights syntax)");
  cmd->add_option("query", o.query, "The query, e.g. 'filter request_id = \"...\"'")->required();
  cmd->add_option("--server", o.server, "Server URL")->capture_default_str();
  cmd->add_option("--data", o.data_dir, "Read this data directory directly (read-only)");
  cmd->add_option("--key", o.key, "API key")->envname("VIGIL_API_KEY");
  cmd->add_option("--start", o.start, "Start: ISO 8601, epoch, or relative (-15m, -1d)");
  cmd->add_option("--end", o.end, "End: ISO 8601, epoch, relative, or now");
  cmd->add_option("--limit", o.limit, "Maximum rows");
  cmd->add_flag("--quiet,-q", o.quiet, "No summary line on stderr");
  cmd->add_flag("--explain", o.explain, "Print the query plan instead of running it");
  auto* fmt = cmd->add_option_function<std::string>(
      "--format,-f",
      [&](const std::string& v) {
        o.format = v == "json" ? OutputFormat::kJson
                   : v == "csv" ? OutputFormat::kCsv
                                : OutputFormat::kTable;
      },
      "Output: table, json (JSON lines) or csv");
  fmt->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->callback([&] { rc = RunQueryCommand(o); });
}

// `vigil cron`: the cron_jobs view, through the same path as `vigil query`.
void AddCron(CLI::App& app, QueryCommandOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("cron", "List cron jobs per tenant with their monitor state");
  cmd->add_option("--server", o.server, "Server URL")->capture_default_str();
  cmd->add_option("--data", o.data_dir, "Read this data directory directly (read-only)");
  cmd->add_option("--key", o.key, "API key")->envname("VIGIL_API_KEY");
  cmd->add_option("--start", o.start, "Start of the runs counted (default: the last 7 days)");
  cmd->add_option("--end", o.end, "End of the runs counted");
  cmd->callback([&] {
    o.query = "source cron_jobs | fields job_name, tenant, state, runs, failures, failure_rate, last_run, "
              "last_failure, p95_duration_ms, flagged, next_due | sort job_name, tenant";
    o.quiet = true;
    rc = RunQueryCommand(o);
  });
}

void AddImport(CLI::App& app, ImportOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("import", "Bulk-load JSON-lines files");
  cmd->add_option("files", o.files, "Files to load ('-' for stdin)")->required();
  o.server = "http://127.0.0.1:7700";
  cmd->add_option("--server", o.server, "Server URL")->capture_default_str();
  cmd->add_option("--data", o.data_dir, "Write into this data directory directly");
  cmd->add_option("--key", o.key, "API key")->envname("VIGIL_API_KEY");
  cmd->add_option("--group", o.group, "@group of the events");
  cmd->add_option("--stream", o.stream, "@stream of the events");
  cmd->add_option("--batch-bytes", o.batch_bytes, "Bytes per request")->capture_default_str();
  cmd->add_option("--parallel", o.parallel, "Concurrent requests")->capture_default_str();
  cmd->add_flag("--no-progress{false}", o.progress, "No progress output");
  cmd->callback([&] { rc = RunImport(o); });
}

int RunCompact(const std::string& dir) {
  EmbeddedOptions so;
  so.dir = dir;
  so.background = false;
  auto store = OpenEmbeddedStore(so);
  if (!store.ok()) return Fail("opening the data directory", store.status());
  Status s = (*store)->CompactAll();
  if (s.ok()) s = (*store)->Close();
  if (!s.ok()) return Fail("compacting", s);
  for (const auto& p : (*store)->Stats().partitions)
    std::printf("%s: %llu parts, %llu rows, %llu bytes\n", p.partition.c_str(),
                static_cast<unsigned long long>(p.parts), static_cast<unsigned long long>(p.rows),
                static_cast<unsigned long long>(p.bytes));
  return 0;
}

void AddCompact(CLI::App& app, std::string& dir, int& rc) {
  auto* cmd = app.add_subcommand(
      "compact", "Merge every partition of a data directory into one part (server stopped)");
  cmd->add_option("--data", dir, "Data directory")->required();
  cmd->callback([&] { rc = RunCompact(dir); });
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"Vigil: self-hosted logs, traces and alerts"};
  app.require_subcommand(1);
  int rc = 0;
  ServeFlags serve;
  QueryCommandOptions query;
  ImportOptions import;
  AddServe(app, serve, rc);
  AddQuery(app, query, rc);
  AddImport(app, import, rc);
  QueryCommandOptions cron;
  AddCron(app, cron, rc);
  ShipCommandOptions ship;
  AddShip(app, ship, rc);
  std::string compact_dir;
  AddCompact(app, compact_dir, rc);
  AddDiagnosticsCommands(app, rc);
  AlarmsCommandOptions alarms;
  AddAlarmsCommand(app, alarms, rc);
  SilenceCommandOptions silence;
  AddSilenceCommand(app, silence, rc);
  CLI11_PARSE(app, argc, argv);
  return rc;
}

}  // namespace vigil
