// HttpRequest / HttpResponse: what route handlers see. They are plain values with no
// Boost types, so handlers and their tests never depend on the transport.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vigil {

// Header fields in arrival order; lookups ignore case (RFC 9110 section 5.1).
class HttpHeaders {
 public:
  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query string
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  HttpHeaders headers;
  std::string body;  // after Content-Encoding was removed
  std::string peer;  // "ip:port" of the client

  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string_view> Query(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
  // `{"error": {"code": "<CodeName>", "message": "..."}}` with HttpStatusFor(code).
  // REQUIRES: !status.ok().
  static HttpResponse Error(const Status& status);
  // Same body shape with an explicit HTTP status (405, 431, ... have no Code).
  static HttpResponse Error(int http_status, std::string_view code, std::string_view message);
};

// The one mapping from Status codes to HTTP statuses:
//   OK 200, InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
//   AlreadyExists 409, ResourceExhausted 413, Unsupported 415, Unavailable 503,
//   Corruption / IOError 500.
// ResourceExhausted is 413 because every producer today is a size limit (body, decoded
// body, line); a future rate or concurrency limit should return Unavailable (503).
int HttpStatusFor(Code code);

// Splits a request target into a decoded path and decoded query parameters ('+' is a
// space in the query). Returns InvalidArgument for a malformed percent escape.
Status ParseTarget(std::string_view target, std::string* path,
                   std::vector<std::pair<std::string, std::string>>* query);

}  // namespace vigil
