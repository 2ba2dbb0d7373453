// Removes a request's Content-Encoding (gzip, zstd) with a cap on the decoded size, so a
// small compressed body cannot expand into unbounded memory (a decompression bomb).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// OK when `encoding` (a Content-Encoding value) is one DecodeBody understands: empty,
// identity, gzip, x-gzip, deflate (zlib-wrapped), zstd; case-insensitive. Otherwise
// Unsupported, naming the encoding and the supported ones.
Status CheckEncoding(std::string_view encoding);

// Decodes `body` sent with Content-Encoding `encoding` (empty = none). Returns
//   ResourceExhausted when the decoded size would exceed `max_bytes`,
//   InvalidArgument for a corrupt or truncated stream (the message says which),
//   Unsupported for an encoding CheckEncoding rejects.
// Identity bodies are returned as they are, without copying. Thread-safe.
Result<std::string> DecodeBody(std::string_view encoding, std::string&& body, size_t max_bytes);

}  // namespace vigil
