#include "server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/server_test_util.h"

namespace vigil {
namespace {

using testing::HasSubstr;
using testing_util::FakeStore;
using testing_util::Get;
using testing_util::Post;
using testing_util::RawClient;
using testing_util::RawResponse;

Result<std::unique_ptr<Server>> StartWithLog(const Config& c, Store& store,
                                             std::vector<std::string>* log) {
  ServerOptions o;
  o.log = [log](std::string_view line) { log->emplace_back(line); };
  return Server::Start(c, store, o);
}

TEST(ServerTest, RefusesNonLoopbackWithoutKeys) {
  FakeStore store;
  Config c;
  c.listen = "0.0.0.0:0";
  std::vector<std::string> log;
  Result<std::unique_ptr<Server>> s = StartWithLog(c, store, &log);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("refusing to listen on 0.0.0.0:0"));
  EXPECT_THAT(s.status().message(), HasSubstr("api_keys"));
}

TEST(ServerTest, RejectsMalformedListen) {
  FakeStore store;
  Config c;
  c.listen = "nonsense";
  EXPECT_EQ(Server::Start(c, store).status().code(), Code::kInvalidArgument);
}

TEST(ServerTest, ServesTheApiOnAnEphemeralLoopbackPort) {
  FakeStore store;
  Config c;
  c.listen = "127.0.0.1:0";
  std::vector<std::string> log;
  Result<std::unique_ptr<Server>> s = StartWithLog(c, store, &log);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Server& server = *s.value();
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(server.address(), "127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_THAT(log[0], HasSubstr("authentication OFF"));
  EXPECT_THAT(log[0], HasSubstr("loopback only"));

  RawClient client(server.port());
  ASSERT_TRUE(client.Send(Post("/api/v1/logs", R"({"timestamp": 1767225600000, "m": "x"})")));
  std::optional<RawResponse> r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"accepted":1,"rejected":[],"rejected_count":0})");

  ASSERT_TRUE(
      client.Send(Post("/api/v1/query", R"({"query": "fields m", "start": 0, "end": "now"})")));
  r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("rows":[["x"]])"));

  ASSERT_TRUE(client.Send(Get("/healthz")));
  r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok\n");

  ASSERT_TRUE(client.Send(Get("/metrics")));  // open: the server is loopback-only
  r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r->body,
              HasSubstr("vigil_http_requests_total{route=\"/api/v1/logs\",code=\"200\"} 1\n"));
  EXPECT_THAT(r->body, HasSubstr("vigil_http_requests_total{route=\"/healthz\",code=\"200\"} 1\n"));
  EXPECT_THAT(r->body, HasSubstr("vigil_memtable_rows 1\n"));
  EXPECT_THAT(r->body, HasSubstr("vigil_parts{partition=\"2026-01-01\"} 2\n"));

  server.Stop();
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST(ServerTest, KeysProtectTheApiButNotLoopbackMetrics) {
  FakeStore store;
  Config c;
  c.listen = "127.0.0.1:0";
  c.api_keys = {{"secret-ingest", Role::kIngest, "shipper"}};
  std::vector<std::string> log;
  Result<std::unique_ptr<Server>> s = StartWithLog(c, store, &log);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_THAT(log[0], HasSubstr("authentication on: 1 API key"));
  RawClient client(s.value()->port());
  ASSERT_TRUE(client.Send(Post("/api/v1/logs", R"({"m": 1})")));
  EXPECT_EQ(client.Read()->status, 401);
  ASSERT_TRUE(client.Send(Post("/api/v1/logs", R"({"m": 1})", "X-Api-Key: secret-ingest\r\n")));
  EXPECT_EQ(client.Read()->status, 200);
  ASSERT_TRUE(client.Send(Get("/metrics")));
  EXPECT_EQ(client.Read()->status, 200);
}

TEST(ServerTest, PortInUseIsIOError) {
  FakeStore store;
  Config c;
  c.listen = "127.0.0.1:0";
  std::vector<std::string> log;
  Result<std::unique_ptr<Server>> first = StartWithLog(c, store, &log);
  ASSERT_TRUE(first.ok());
  c.listen = "127.0.0.1:" + std::to_string(first.value()->port());
  Result<std::unique_ptr<Server>> second = StartWithLog(c, store, &log);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kIOError);
}

}  // namespace
}  // namespace vigil
