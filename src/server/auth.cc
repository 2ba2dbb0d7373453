#include "server/auth.h"

#include <strings.h>

#include <algorithm>

namespace vigil {

namespace {

const char* AccessName(Access a) {
  switch (a) {
    case Access::kIngest:
      return "ingest";
    case Access::kRead:
      return "read";
    case Access::kAdmin:
      return "admin";
  }
  return "unknown";
}

// The key from `Authorization: Bearer K` or `X-Api-Key: K`; empty when neither is there.
Result<std::string_view> PresentedKey(const HttpRequest& request) {
  if (auto auth = request.Header("Authorization")) {
    std::string_view v = *auth;
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() <= kBearer.size() || strncasecmp(v.data(), kBearer.data(), kBearer.size()) != 0) {
      return Status::Unauthenticated("the Authorization header must be \"Bearer <api key>\"");
    }
    v.remove_prefix(kBearer.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  }
  if (auto key = request.Header("X-Api-Key")) return *key;
  return std::string_view();
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length so the time depends only on the lengths, never on the bytes.
  const size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

bool RoleAllows(Role role, Access need) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kIngest:
      return need == Access::kIngest;
    case Role::kRead:
      return need == Access::kRead;
  }
  return false;
}

Result<Principal> Authenticator::Authorize(const HttpRequest& request, Access need) const {
  if (!enabled()) return Principal{"anonymous", Role::kAdmin};
  ASSIGN_OR_RETURN(std::string_view presented, PresentedKey(request));
  return AuthorizeKey(presented, need);
}

Result<Principal> Authenticator::AuthorizeKey(std::string_view presented, Access need) const {
  if (!enabled()) return Principal{"anonymous", Role::kAdmin};
  if (presented.empty()) {
    return Status::Unauthenticated(
        "missing API key: send \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\"");
  }
  // Compare against every key without stopping early, so timing does not reveal which
  // configured key (if any) matched.
  const ApiKey* match = nullptr;
  for (const ApiKey& k : keys_) {
    if (ConstantTimeEquals(presented, k.key)) match = &k;
  }
  if (match == nullptr) return Status::Unauthenticated("unknown API key");
  if (!RoleAllows(match->role, need)) {
    return Status::PermissionDenied("API key '" + match->name + "' has role " +
                                    RoleName(match->role) + ", which does not allow " +
                                    AccessName(need) + " access");
  }
  return Principal{match->name, match->role};
}

HttpHandler Guard(const Authenticator& auth, Access need, HttpHandler handler) {
  return [&auth, need, handler = std::move(handler)](const HttpRequest& req) {
    Result<Principal> who = auth.Authorize(req, need);
    if (!who.ok()) {
      HttpResponse res = HttpResponse::Error(who.status());
      if (who.status().code() == Code::kUnauthenticated) {
        res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
      }
      return res;
    }
    return handler(req);
  };
}

}  // namespace vigil
