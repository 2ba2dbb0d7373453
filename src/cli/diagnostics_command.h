// `vigil errors …` (error groups) and `vigil slow` (slow-page diagnosis): the runbook's
// first two questions from a terminal. Listings are queries over the `errors` and
// `slow_endpoints` views, so they work with --server and with --data (server down);
// showing one group and changing its status go through the server's API.
#pragma once

namespace CLI {
class App;
}

namespace vigil {

// Registers `errors` and `slow`; their callbacks store the exit code in `rc`, which
// must outlive app's parsing.
void AddDiagnosticsCommands(CLI::App& app, int& rc);

}  // namespace vigil
