// `vigil alarms`: every alarm instance of a server with its state, and
// `vigil alarms history NAME`: one alarm's rule, instances and state history.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/result_table.h"

namespace vigil {

struct AlarmsCommandOptions {
  std::string server = "http://127.0.0.1:7700";
  std::string key;
  std::string name;  // history: the alarm (rule) name
  int limit = 50;    // history entries
  OutputFormat format = OutputFormat::kTable;
};

// Adds `alarms` (and `alarms history`) to `app`; the chosen one sets `rc` to its exit
// code: 0 on success, 1 when the server refused (unknown alarm, bad key), 2 when it could
// not be reached.
void AddAlarmsCommand(CLI::App& app, AlarmsCommandOptions& options, int& rc);

}  // namespace vigil
