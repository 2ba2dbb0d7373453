// Small POSIX file helpers shared by the embedded store's writers and readers.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Writes `data` to `path` (truncating) and fsyncs the file.
Status WriteFileSync(const std::string& path, std::string_view data);
// Writes `data` to path + ".tmp", fsyncs, renames over `path` and fsyncs the directory.
Status WriteFileAtomic(const std::string& path, std::string_view data);
Result<std::string> ReadFileToString(const std::string& path);
Status FsyncDir(const std::string& dir);

}  // namespace vigil
