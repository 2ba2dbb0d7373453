// The `vigil` command line: serve, query, import.
#pragma once

namespace vigil {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace vigil
