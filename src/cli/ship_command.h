// `vigil ship FILE… | -`: the log shipper (src/ship), and `vigil ship --status`.
#pragma once

#include <string>

#include "ship/ship.h"

namespace CLI {
class App;
}

namespace vigil {

struct ShipCommandOptions {
  ShipOptions ship;
  std::string compression = "zstd";  // zstd, gzip or none
  bool status = false;               // print the state directory's last report and exit
  std::string config_path;           // YAML file whose `ship:` section sets options
};

// Returns the process exit code: 0 after a clean stop (SIGINT/SIGTERM, end of input),
// 2 on a fatal error. With `status`: 0 when a report was printed, 1 when none exists.
int RunShipCommand(ShipCommandOptions& options);

// Registers the `ship` subcommand; its callback runs RunShipCommand and stores the exit
// code in `rc`. `options` and `rc` must outlive app's parsing.
void AddShip(CLI::App& app, ShipCommandOptions& options, int& rc);

}  // namespace vigil
