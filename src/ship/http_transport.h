// HttpTransport: POSTs batches to a Vigil server over one kept-alive HTTP/1.1
// connection, with a deadline on every request.
//
// (cli/HttpClient has no deadline; a shipper must notice a server that accepts the
// connection and never answers, or its breaker would never open.)
// Thread-safety: none.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil {

struct ShipReply {
  int status = 0;
  std::string body;
};

class HttpTransport {
 public:
  // `base_url` is http://host[:port][/...]; InvalidArgument otherwise.
  static Result<std::unique_ptr<HttpTransport>> Create(const std::string& base_url,
                                                       std::chrono::milliseconds timeout);
  ~HttpTransport();

  // Sends one POST to `target` (path and query). Returns the server's answer whatever
  // its status; Unavailable when the server could not be reached or did not answer
  // within the timeout (the connection is then dropped).
  Result<ShipReply> Post(const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string body);

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

enum class Compression { kNone, kGzip, kZstd };

// Compresses `in` for a Content-Encoding (gzip: one member; zstd: one frame at level 1).
// Returns the encoding name ("", "gzip", "zstd"); IOError if the codec fails.
Result<std::string> Compress(Compression c, std::string_view in, std::string* out);

}  // namespace vigil
