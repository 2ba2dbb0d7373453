// `vigil silence add|list|expire`: manages the silences of a server through its API
// (POST/GET /api/v1/silences, DELETE /api/v1/silences/<id>).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/result_table.h"

namespace vigil {

struct SilenceCommandOptions {
  std::string server = "http://127.0.0.1:7700";
  std::string key;
  // add
  std::vector<std::string> matchers;
  std::string starts_at, ends_at, duration, author, comment;
  std::vector<std::string> days;
  std::string window_start, window_end, time_zone;
  // list
  std::string state;
  OutputFormat format = OutputFormat::kTable;
  // expire
  std::string id;
};

// Adds `silence` with its subcommands to `app`; the chosen one sets `rc`: 0 on success,
// 1 when the server refused (bad matcher, unknown id, bad key), 2 when it could not be
// reached.
void AddSilenceCommand(CLI::App& app, SilenceCommandOptions& options, int& rc);

}  // namespace vigil
