#include "cli/ship_command.h"

#include <signal.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "server/config.h"

namespace vigil {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop = true; }

void InstallSignals() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed console must not kill the shipper
}

int PrintStatus(const ShipOptions& o) {
  std::string dir = o.state_dir.empty() ? DefaultShipStateDir(o) : o.state_dir;
  bool running = false;
  auto report = ReadShipStatus(dir, &running);
  if (!report.ok()) {
    std::fprintf(stderr, "vigil ship: no status in %s (%s)\n", dir.c_str(),
                 report.status().ToString().c_str());
    return 1;
  }
  // The report is one JSON object; say whether its shipper still runs.
  std::string out = *report;
  size_t brace = out.find('{');
  if (brace != std::string::npos)
    out.insert(brace + 1, std::string("\"running\": ") + (running ? "true" : "false") + ", ");
  std::fputs(out.c_str(), stdout);
  return 0;
}

// The `ship:` section of the YAML config file holds the same settings as the flags, named
// like them with '_' for '-' (breaker_failures: 3). A flag on the command line wins. The
// values go through the flags' own parsing and checks.
Status ApplyShipConfig(const std::string& path, CLI::App& cmd) {
  ASSIGN_OR_RETURN(Config config, LoadConfig(path));
  const YAML::Node& root = config.raw;
  if (!root.IsMap() || !root["ship"]) return Status::OK();
  const YAML::Node ship = root["ship"];
  if (!ship.IsMap()) return Status::InvalidArgument(path + ": 'ship' must be a mapping");
  for (const auto& kv : ship) {
    std::string key = kv.first.as<std::string>();
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    CLI::Option* opt = cmd.get_option_no_throw(flag);
    bool settable = opt != nullptr && opt->get_items_expected_max() == 1 && flag != "--status" &&
                    flag != "--config";
    if (!settable) return Status::InvalidArgument(path + ": ship: unknown setting '" + key + "'");
    if (!kv.second.IsScalar())
      return Status::InvalidArgument(path + ": ship: '" + key + "' must be a single value");
    if (opt->count() > 0) continue;  // given on the command line
    try {
      opt->add_result(kv.second.as<std::string>());
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return Status::InvalidArgument(path + ": ship: '" + key + "': " + e.what());
    }
  }
  return Status::OK();
}

}  // namespace

int RunShipCommand(ShipCommandOptions& o) {
  if (o.status) return PrintStatus(o.ship);
  o.ship.compression = o.compression == "gzip"   ? Compression::kGzip
                       : o.compression == "none" ? Compression::kNone
                                                 : Compression::kZstd;
  InstallSignals();
  Status s = RunShipper(o.ship, g_stop);
  if (!s.ok()) {
    std::fprintf(stderr, "vigil ship: %s\n", s.ToString().c_str());
    return 2;
  }
  return 0;
}

void AddShip(CLI::App& app, ShipCommandOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("ship", "Tail files (or stdin) and ship their lines, losing none");
  ShipOptions& s = o.ship;
  cmd->add_option("files", s.files, "Files to tail ('-' for stdin)");
  cmd->add_option("--server", s.server, "Server URL")->capture_default_str();
  cmd->add_option("--key", s.key, "API key (ingest role)")->envname("VIGIL_API_KEY");
  cmd->add_option("--group", s.group, "@group (default: first file's name)");
  cmd->add_option("--stream", s.stream, "@stream (default: host name)");
  cmd->add_option("--state", s.state_dir, "State directory (checkpoints, spool)");
  cmd->add_option("--batch-bytes", s.batch_bytes, "Max bytes per batch")->capture_default_str();
  cmd->add_option("--batch-seconds", s.batch_seconds, "Max age of a batch")->capture_default_str();
  cmd->add_option("--compress", o.compression, "zstd, gzip or none")
      ->check(CLI::IsMember({"zstd", "gzip", "none"}))
      ->capture_default_str();
  cmd->add_option("--timeout", s.timeout_seconds, "Seconds per request")->capture_default_str();
  cmd->add_option("--breaker-failures", s.breaker_failures, "Consecutive failures that open the breaker")
      ->capture_default_str();
  cmd->add_option("--breaker-cooldown", s.breaker_cooldown_seconds, "Seconds the breaker stays open")
      ->capture_default_str();
  cmd->add_option("--retry-delay", s.retry_seconds, "Seconds between retries while closed")
      ->capture_default_str();
  cmd->add_option("--fallback-file", s.fallback_file, "While open, lines go here ('-' stdout; default stderr)");
  cmd->add_option("--spool-max", s.spool_max_bytes, "Spool bound in bytes")->capture_default_str();
  cmd->add_option("--status-interval", s.status_seconds, "Seconds between status lines (0: on changes)")
      ->capture_default_str();
  cmd->add_option("--poll-interval", s.poll_seconds, "Seconds between checks of idle files")
      ->capture_default_str();
  cmd->add_flag("--no-sync{false}", s.sync, "Do not fsync state (survives a shipper crash, not a power loss)");
  cmd->add_flag("--exit-at-eof", s.exit_at_eof, "Exit once every file is read to its end and shipped");
  cmd->add_flag("--status", o.status, "Print the last status report of this shipper's state and exit");
  cmd->add_option("--config", o.config_path, "YAML config file; its ship: section sets these options");
  cmd->callback([&o, &rc, cmd] {
    if (!o.config_path.empty()) {
      Status s = ApplyShipConfig(o.config_path, *cmd);
      if (!s.ok()) {
        std::fprintf(stderr, "vigil ship: %s\n", s.ToString().c_str());
        rc = 2;
        return;
      }
    }
    rc = RunShipCommand(o);
  });
}

}  // namespace vigil
