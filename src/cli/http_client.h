// Minimal blocking HTTP/1.1 client for the CLI (query, import) talking to a Vigil server.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil {

struct HttpReply {
  int status = 0;
  std::string body;
};

// A keep-alive connection to one server given as http://host:port.
class HttpClient {
 public:
  // Fails with InvalidArgument on a malformed URL (only http:// is supported).
  static Result<std::unique_ptr<HttpClient>> Create(const std::string& base_url);
  ~HttpClient();
  // Sends one request; reconnects once if the kept-alive connection was closed.
  // Returns Unavailable when the server cannot be reached.
  Result<HttpReply> Post(const std::string& path, const std::string& content_type,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Same for any method ("GET", "PUT", "DELETE", ...); an empty body sends none.
  Result<HttpReply> Send(const std::string& method, const std::string& path,
                         const std::string& content_type, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
