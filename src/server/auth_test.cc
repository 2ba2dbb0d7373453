#include "server/auth.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

HttpRequest WithHeader(const std::string& name, const std::string& value) {
  HttpRequest r;
  r.headers.Add(name, value);
  return r;
}

Authenticator ThreeKeys() {
  return Authenticator({{"ik", Role::kIngest, "shipper"},
                        {"rk", Role::kRead, "grafana"},
                        {"ak", Role::kAdmin, "ops"}});
}

TEST(AuthTest, RoleMatrix) {
  // Roles are not ordered: ingest cannot read, read cannot ingest, admin does all.
  EXPECT_TRUE(RoleAllows(Role::kIngest, Access::kIngest));
  EXPECT_FALSE(RoleAllows(Role::kIngest, Access::kRead));
  EXPECT_FALSE(RoleAllows(Role::kIngest, Access::kAdmin));
  EXPECT_FALSE(RoleAllows(Role::kRead, Access::kIngest));
  EXPECT_TRUE(RoleAllows(Role::kRead, Access::kRead));
  EXPECT_FALSE(RoleAllows(Role::kRead, Access::kAdmin));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kIngest));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kRead));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kAdmin));
}

struct AuthCase {
  std::string key;
  Access need;
  Code expect;
};

TEST(AuthTest, RequestMatrix) {
  Authenticator auth = ThreeKeys();
  const std::vector<AuthCase> cases = {
      {"ik", Access::kIngest, Code::kOk},
      {"ik", Access::kRead, Code::kPermissionDenied},
      {"ik", Access::kAdmin, Code::kPermissionDenied},
      {"rk", Access::kIngest, Code::kPermissionDenied},
      {"rk", Access::kRead, Code::kOk},
      {"rk", Access::kAdmin, Code::kPermissionDenied},
      {"ak", Access::kIngest, Code::kOk},
      {"ak", Access::kRead, Code::kOk},
      {"ak", Access::kAdmin, Code::kOk},
      {"nope", Access::kRead, Code::kUnauthenticated},
      {"ik2", Access::kIngest, Code::kUnauthenticated},
      {"i", Access::kIngest, Code::kUnauthenticated},
  };
  for (const AuthCase& c : cases) {
    for (bool bearer : {true, false}) {
      HttpRequest r =
          bearer ? WithHeader("Authorization", "Bearer " + c.key) : WithHeader("X-Api-Key", c.key);
      Result<Principal> p = auth.Authorize(r, c.need);
      EXPECT_EQ(p.status().code(), c.expect) << c.key << " bearer=" << bearer;
    }
  }
}

TEST(AuthTest, PrincipalNamesTheKey) {
  Result<Principal> p =
      ThreeKeys().Authorize(WithHeader("authorization", "bearer rk"), Access::kRead);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "grafana");
  EXPECT_EQ(p->role, Role::kRead);
}

TEST(AuthTest, MissingOrMalformedKey) {
  Authenticator auth = ThreeKeys();
  EXPECT_EQ(auth.Authorize(HttpRequest{}, Access::kRead).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(
      auth.Authorize(WithHeader("Authorization", "Basic cms6"), Access::kRead).status().code(),
      Code::kUnauthenticated);
  EXPECT_EQ(auth.Authorize(WithHeader("Authorization", "Bearer "), Access::kRead).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(auth.Authorize(WithHeader("X-Api-Key", ""), Access::kRead).status().code(),
            Code::kUnauthenticated);
}

TEST(AuthTest, ForbiddenMessageNamesKeyAndRole) {
  Result<Principal> p = ThreeKeys().Authorize(WithHeader("X-Api-Key", "ik"), Access::kRead);
  ASSERT_EQ(p.status().code(), Code::kPermissionDenied);
  EXPECT_NE(p.status().message().find("'shipper' has role ingest"), std::string::npos)
      << p.status().message();
}

TEST(AuthTest, NoKeysMeansAuthOff) {
  Authenticator auth({});
  EXPECT_FALSE(auth.enabled());
  Result<Principal> p = auth.Authorize(HttpRequest{}, Access::kAdmin);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "anonymous");
}

TEST(AuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("secret2", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0", 2), "a"));
}

}  // namespace
}  // namespace vigil
