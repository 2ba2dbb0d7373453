#include "health/route_template.h"

#include <gtest/gtest.h>

namespace vigil::health {
namespace {

struct Case {
  const char* url;
  const char* want;
};

// Each row: what a client logged, and the endpoint it must be grouped under.
constexpr Case kCases[] = {
    {"/v1/charges/123", "/v1/charges/{id}"},
    {"/v1/charges", "/v1/charges"},
    {"/", "/"},
    {"", "/"},
    {"https://api.stripe.com/v1/customers/cus_NffrFeUfNV2Hib", "/v1/customers/{id}"},
    {"https://api.stripe.com/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15/refunds", "/v1/charges/{id}/refunds"},
    {"https://api.stripe.com", "/"},
    {"https://api.stripe.com?x=1", "/"},
    {"/users/550e8400-e29b-41d4-a716-446655440000/mail", "/users/{id}/mail"},
    {"/users/550E8400-E29B-41D4-A716-446655440000", "/users/{id}"},
    {"/users/{550e8400-e29b-41d4-a716-446655440000}", "/users/{id}"},
    {"/objects/5f1d7a9e3c2b4a0012345678", "/objects/{id}"},
    {"/commits/0123abcd", "/commits/{id}"},
    {"/commits/deadbeefcafe", "/commits/deadbeefcafe"},  // hex letters only: a word
    {"/v1/messages?since=2024-01-01&id=77", "/v1/messages"},
    {"/v1/messages#frag", "/v1/messages"},
    {"/v1/Accounts/AC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d/Messages.json", "/v1/Accounts/{id}/Messages.json"},
    {"/2010-04-01/Accounts/ACabc/Calls/123.json", "/{id}/Accounts/ACabc/Calls/{id}.json"},
    {"/gmail/v1/users/me/messages/18c2f4b5a9d3e7f1", "/gmail/v1/users/me/messages/{id}"},
    {"/v1.0/users/bob@example.com/sendMail", "/v1.0/users/{id}/sendMail"},
    {"/restapi/v2.1/accounts/12345678/envelopes", "/restapi/v2.1/accounts/{id}/envelopes"},
    {"/bucket/uploads/2024/05/01/report.pdf", "/bucket/uploads/{id}/{id}/{id}/report.pdf"},
    {"/v3/mail/send", "/v3/mail/send"},
    {"/api/cases/case_12345/notes", "/api/cases/{id}/notes"},
    {"/api/invoices/inv-0042", "/api/invoices/{id}"},
    {"/api/page-2", "/api/page-2"},
    {"/oauth2_callback_handler", "/oauth2_callback_handler"},
    {"/v1/tokens/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "/v1/tokens/{id}"},
    {"/v1/items/123/", "/v1/items/{id}/"},
    {"v1/items/123", "v1/items/{id}"},
    {"charges.create", "charges.create"},
    {"12345", "{id}"},
    {"/dates/2024-01-15", "/dates/{id}"},
    {"/ip/10.0.0.1", "/ip/{id}"},
    {"/v1/users/{id}", "/v1/users/{id}"},
    {"/v1/users/:id", "/v1/users/:id"},
    {"http://user:pw@host:8080/a/99", "/a/{id}"},
    {"/a//b", "/a//b"},
    {"/files/123.tar", "/files/{id}.tar"},
    {"/files/readme.md", "/files/readme.md"},
};

TEST(RouteTemplateTest, Table) {
  for (const Case& c : kCases) EXPECT_EQ(RouteTemplate(c.url), c.want) << "url: " << c.url;
}

TEST(RouteTemplateTest, TableHasEnoughCases) { EXPECT_GE(std::size(kCases), 30u); }

TEST(RouteTemplateTest, DistinctIdsShareOneTemplate) {
  EXPECT_EQ(RouteTemplate("/v1/customers/cus_9fK2LmQ81xZpTw"), RouteTemplate("/v1/customers/cus_Hq72MnBx1pLwRt"));
  EXPECT_NE(RouteTemplate("/v1/customers"), RouteTemplate("/v1/charges"));
}

TEST(RouteTemplateTest, UrlHost) {
  EXPECT_EQ(UrlHost("https://api.stripe.com/v1"), "api.stripe.com");
  EXPECT_EQ(UrlHost("http://user@h.example:8080/x"), "h.example");
  EXPECT_EQ(UrlHost("http://[::1]:8080/x"), "[::1]");
  EXPECT_EQ(UrlHost("https://api.x.com"), "api.x.com");
  EXPECT_EQ(UrlHost("/v1/charges"), "");
}

}  // namespace
}  // namespace vigil::health
