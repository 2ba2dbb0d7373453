// Authenticator: API-key authentication and role checks.
//
// A request carries its key as `Authorization: Bearer KEY` or `X-Api-Key: KEY`. Roles
// are not ordered: an ingest key may only write events, a read key may only query, an
// admin key may do everything. With no keys configured authentication is off and every
// request is allowed; the server then refuses to listen on anything but loopback.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "server/config.h"
#include "server/http_message.h"
#include "server/router.h"

namespace vigil {

// What a route needs.
enum class Access { kIngest, kRead, kAdmin };

struct Principal {
  std::string name;  // the key's configured name; "anonymous" when auth is off
  Role role = Role::kAdmin;
};

class Authenticator {
 public:
  explicit Authenticator(std::vector<ApiKey> keys) : keys_(std::move(keys)) {}

  bool enabled() const { return !keys_.empty(); }

  // Returns who sent `request` if they may have `need`; Unauthenticated when the key is
  // missing or unknown, PermissionDenied when the key's role does not allow `need`.
  // Keys are compared in constant time. Thread-safe.
  Result<Principal> Authorize(const HttpRequest& request, Access need) const;
  // Same for a key carried elsewhere (e.g. `api_key` in a PostHog capture body).
  Result<Principal> AuthorizeKey(std::string_view presented, Access need) const;

 private:
  std::vector<ApiKey> keys_;
};

// Wraps `handler` so that it runs only for requests whose key allows `need` (401 with
// WWW-Authenticate / 403 otherwise). `auth` must outlive the handler.
HttpHandler Guard(const Authenticator& auth, Access need, HttpHandler handler);

// Whether `role` allows `need`.
bool RoleAllows(Role role, Access need);

// Compares without branching on the contents or the position of the first difference.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vigil
