#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace vigil {

int RunCli(int argc, char** argv) {
  CLI::App app{"Vigil: self-hosted logs, traces and alerts"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace vigil
