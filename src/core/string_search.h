// Substring search over a String column.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/batch.h"

namespace vigil {

// The first occurrence of `needle` in [begin, end), or nullptr. Like memmem, but on x86-64
// it tests 16 positions at a time for the needle's first and last bytes (SSE2) before
// comparing, which beats glibc's memmem on log text. Thread-safe.
const char* FindSubstring(const char* begin, const char* end, std::string_view needle);

// Appends to `out` the rows of `rows` (ascending) where `c` (a String column) holds a
// valid value containing `needle`. Over most of a column the search runs through the
// column's string buffer (its values lie back to back) and maps each hit to its row:
// one memmem call per hit instead of one per row. A hit straddling two values is no
// match. Thread-safe.
void SelectContaining(const Column& c, const std::vector<uint32_t>& rows, std::string_view needle,
                      std::vector<uint32_t>* out);

}  // namespace vigil
