// Router: maps (method, path) to a handler. Routes are exact paths or path prefixes; an
// exact route wins over a prefix, and a longer prefix over a shorter one.
//
// Thread-safety: register every route before the server starts; afterwards the router is
// read-only and Dispatch may run on many threads at once.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"

namespace vigil {

// Handlers run on the server's worker threads and must be thread-safe. They answer
// errors with a response; they must not throw.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  void Add(std::string method, std::string path, HttpHandler handler);
  // Matches every path that starts with `prefix` (e.g. "/api/v1/alarms/").
  void AddPrefix(std::string method, std::string prefix, HttpHandler handler);

  // The registered path or prefix that `path` matches (for any method), used as the
  // `route` label of metrics so that label values stay few; "unmatched" when none.
  std::string_view RouteLabel(std::string_view path) const;

  // Runs the matching handler. No route for the path: 404. A route for the path but not
  // for the method: 405 with an Allow header.
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    bool prefix = false;
    HttpHandler handler;
  };
  // The routes for the best-matching path (several when methods differ).
  std::vector<const Route*> Match(std::string_view path) const;

  std::vector<Route> routes_;
};

}  // namespace vigil
