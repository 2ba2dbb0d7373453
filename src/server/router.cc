#include "server/router.h"

namespace vigil {

void Router::Add(std::string method, std::string path, HttpHandler handler) {
  routes_.push_back({std::move(method), std::move(path), false, std::move(handler)});
}

void Router::AddPrefix(std::string method, std::string prefix, HttpHandler handler) {
  routes_.push_back({std::move(method), std::move(prefix), true, std::move(handler)});
}

std::vector<const Router::Route*> Router::Match(std::string_view path) const {
  std::vector<const Route*> best;
  size_t best_len = 0;
  bool best_exact = false;
  for (const Route& r : routes_) {
    const bool exact = !r.prefix && r.path == path;
    const bool prefix = r.prefix && path.substr(0, r.path.size()) == r.path;
    if (!exact && !prefix) continue;
    const bool better =
        best.empty() || (exact && !best_exact) || (exact == best_exact && r.path.size() > best_len);
    const bool same = !best.empty() && exact == best_exact && r.path.size() == best_len;
    if (better) {
      best.clear();
      best_len = r.path.size();
      best_exact = exact;
    }
    if (better || same) best.push_back(&r);
  }
  return best;
}

std::string_view Router::RouteLabel(std::string_view path) const {
  std::vector<const Route*> m = Match(path);
  return m.empty() ? std::string_view("unmatched") : std::string_view(m.front()->path);
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  std::vector<const Route*> m = Match(request.path);
  if (m.empty()) {
    return HttpResponse::Error(404, "NotFound", "no route for " + request.path);
  }
  std::string allow;
  for (const Route* r : m) {
    if (r->method == request.method) return r->handler(request);
    if (!allow.empty()) allow += ", ";
    allow += r->method;
  }
  HttpResponse res =
      HttpResponse::Error(405, "MethodNotAllowed",
                          request.method + " is not allowed on " + request.path + "; use " + allow);
  res.headers.emplace_back("Allow", allow);
  return res;
}

}  // namespace vigil
