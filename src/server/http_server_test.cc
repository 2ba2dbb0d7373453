#include "server/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "server/server_test_util.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;
using testing::StartsWith;
using testing_util::Get;
using testing_util::Post;
using testing_util::RawClient;
using testing_util::RawResponse;

constexpr size_t kLimit = 1 << 20;

class HttpServerTest : public testing::Test {
 protected:
  void SetUp() override {
    router_.Add("POST", "/echo", [](const HttpRequest& r) {
      HttpResponse res = HttpResponse::Text(200, r.body);
      res.headers.emplace_back("X-Peer", r.peer);
      res.headers.emplace_back("X-Query-A", std::string(r.Query("a").value_or("-")));
      res.headers.emplace_back("X-Ct", std::string(r.Header("content-type").value_or("-")));
      return res;
    });
    router_.Add("GET", "/hello", [](const HttpRequest&) { return HttpResponse::Text(200, "hi"); });
    router_.Add("GET", "/slow", [](const HttpRequest&) {
      std::this_thread::sleep_for(milliseconds(400));
      return HttpResponse::Text(200, "slow");
    });
    HttpServerOptions o;
    o.max_body_bytes = kLimit;
    o.on_response = [this](std::string_view route, int status) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.emplace_back(std::string(route), status);
    };
    Result<std::unique_ptr<HttpServer>> s = HttpServer::Start(o, router_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    ASSERT_NE(server_->port(), 0);
  }

  std::vector<std::pair<std::string, int>> Seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  // Declared before the server, which calls back into them until it is destroyed.
  Router router_;
  std::mutex mu_;
  std::vector<std::pair<std::string, int>> seen_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/hello")));
    std::optional<RawResponse> r = c.Read();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hi");
    EXPECT_NE(r->Header("connection"), "close");
  }
  // Pipelined: two requests in one write, two answers in order.
  ASSERT_TRUE(c.Send(Post("/echo", "one") + Post("/echo", "two")));
  EXPECT_EQ(c.Read()->body, "one");
  EXPECT_EQ(c.Read()->body, "two");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Get("/hello", "Connection: close\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, RequestFieldsReachTheHandler) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo?a=x%20y&b=2", "body", "Content-Type: text/plain\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "body");
  EXPECT_EQ(r->Header("x-query-a"), "x y");
  EXPECT_EQ(r->Header("x-ct"), "text/plain");
  EXPECT_THAT(r->Header("x-peer"), StartsWith("127.0.0.1:"));
  EXPECT_EQ(r->Header("server"), "Vigil");
}

TEST_F(HttpServerTest, OversizedContentLengthIs413BeforeTheBodyIsSent) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n"));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_THAT(r->body, HasSubstr(R"("code":"ResourceExhausted")"));
  EXPECT_THAT(r->body, HasSubstr("2000000 bytes exceeds the limit of 1048576 bytes"));
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk(64 * 1024, 'x');
  std::string framed = "10000\r\n" + chunk + "\r\n";
  for (int i = 0; i < 17; ++i) {
    if (!c.Send(framed)) break;  // the server may close as soon as the limit is passed
  }
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("exceeds the limit of 1048576 bytes"));
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  RawClient c(server_->port());
  const std::string body(kLimit, 'b');
  ASSERT_TRUE(c.Send(Post("/echo", body)));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), kLimit);
}

TEST_F(HttpServerTest, GzipBodyIsDecoded) {
  const std::string text = "{\"a\":1}\n{\"a\":2}\n";
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo", testing_util::Gzip(text), "Content-Encoding: gzip\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, text);
}

TEST_F(HttpServerTest, ZstdBodyIsDecoded) {
  const std::string text(200000, 'z');
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo", testing_util::Zstd(text), "Content-Encoding: zstd\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, text);
}

TEST_F(HttpServerTest, CorruptOrTruncatedBodiesAre400AndTheConnectionSurvives) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo", "definitely not gzip", "Content-Encoding: gzip\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr(R"("code":"InvalidArgument")"));
  EXPECT_THAT(r->body, HasSubstr("corrupt gzip body"));

  std::string gz = testing_util::Gzip(std::string(10000, 'q') + "tail");
  gz.resize(gz.size() / 2);
  ASSERT_TRUE(c.Send(Post("/echo", gz, "Content-Encoding: gzip\r\n")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("truncated gzip body"));

  std::string zs = testing_util::Zstd(std::string(10000, 'q') + "tail");
  zs.resize(zs.size() - 2);
  ASSERT_TRUE(c.Send(Post("/echo", zs, "Content-Encoding: zstd\r\n")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("truncated zstd body"));

  // The body was read in full, so the connection is still good.
  ASSERT_TRUE(c.Send(Get("/hello")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, DecompressionBombIs413) {
  const std::string bomb = testing_util::Gzip(std::string(16 << 20, '\0'));  // 16 MiB -> ~16 KiB
  ASSERT_LT(bomb.size(), kLimit);
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo", bomb, "Content-Encoding: gzip\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("decompressed body exceeds the limit of 1048576 bytes"));
}

TEST_F(HttpServerTest, UnknownEncodingIs415) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/echo", "xxxx", "Content-Encoding: br\r\n")));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_THAT(r->body, HasSubstr(R"("code":"Unsupported")"));
  EXPECT_THAT(r->body, HasSubstr("\\\"br\\\""));
}

TEST_F(HttpServerTest, Expect100Continue) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<RawResponse> interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("hello"));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  std::optional<RawResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("malformed HTTP request"));
}

TEST_F(HttpServerTest, RoutesAndMetricsCallback) {
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Get("/nope")));
  EXPECT_EQ(c.Read()->status, 404);
  ASSERT_TRUE(c.Send(Get("/echo")));
  EXPECT_EQ(c.Read()->status, 405);
  ASSERT_TRUE(c.Send(Get("/hello")));
  EXPECT_EQ(c.Read()->status, 200);
  EXPECT_THAT(Seen(), testing::ElementsAre(std::pair<std::string, int>("unmatched", 404),
                                           std::pair<std::string, int>("/echo", 405),
                                           std::pair<std::string, int>("/hello", 200)));
}

TEST_F(HttpServerTest, SlowClientDoesNotBlockOthers) {
  // Half a request header, then silence.
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Le"));
  // A client that sent its header but dribbles its body.
  RawClient dribble(server_->port());
  ASSERT_TRUE(dribble.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab"));

  const auto t0 = std::chrono::steady_clock::now();
  RawClient fast(server_->port());
  ASSERT_TRUE(fast.Send(Get("/hello")));
  std::optional<RawResponse> r = fast.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1000));
}

TEST_F(HttpServerTest, HundredConcurrentConnections) {
  constexpr int kClients = 100;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(clients[i]->Send(Post("/echo", "n" + std::to_string(i))));
  }
  for (int i = 0; i < kClients; ++i) {
    std::optional<RawResponse> r = clients[i]->Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "n" + std::to_string(i));
  }
}

TEST_F(HttpServerTest, StopLetsInFlightRequestsFinish) {
  RawClient busy(server_->port());
  RawClient idle(server_->port());
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read());  // now an idle keep-alive connection
  ASSERT_TRUE(busy.Send(Get("/slow")));
  std::this_thread::sleep_for(milliseconds(100));  // the handler is running

  const auto t0 = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(milliseconds(5000)); });
  std::optional<RawResponse> r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(busy.ClosedByPeer());
  EXPECT_TRUE(idle.ClosedByPeer());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(4000));

  RawClient late(server_->port());
  EXPECT_FALSE(late.connected());
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, StopGivesUpOnStuckClientsAfterTheDrainTime) {
  RawClient stuck(server_->port());
  ASSERT_TRUE(stuck.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab"));
  std::this_thread::sleep_for(milliseconds(50));
  const auto t0 = std::chrono::steady_clock::now();
  server_->Stop(milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_TRUE(stuck.ClosedByPeer());
}

// Bodies held by handlers count against one budget; past it requests get 503 and the
// server keeps its memory, and the budget frees as answers go out.
TEST(HttpServerBudgetTest, InflightBodyBytesAreCapped) {
  Router router;
  std::atomic<bool> release{false};
  std::atomic<int> holding{0};
  router.Add("POST", "/hold", [&](const HttpRequest& r) {
    ++holding;
    while (!release.load()) std::this_thread::sleep_for(milliseconds(5));
    return HttpResponse::Text(200, std::to_string(r.body.size()));
  });
  HttpServerOptions o;
  o.max_body_bytes = 1000;
  o.max_inflight_body_bytes = 1000;
  auto server = HttpServer::Start(o, router).value();
  const std::string body(600, 'x');
  RawClient first(server->port());
  ASSERT_TRUE(first.Send(Post("/hold", body)));
  while (holding.load() == 0) std::this_thread::sleep_for(milliseconds(5));
  RawClient second(server->port());
  ASSERT_TRUE(second.Send(Post("/hold", body)));
  std::optional<RawResponse> busy = second.Read();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("retry-after"), "1");
  EXPECT_THAT(busy->body, HasSubstr("in flight"));
  RawClient small(server->port());  // what still fits is served (after release)
  ASSERT_TRUE(small.Send(Post("/hold", std::string(300, 'y'))));
  release = true;
  std::optional<RawResponse> r = first.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "600");
  r = small.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "300");
  RawClient third(server->port());  // the budget is free again
  ASSERT_TRUE(third.Send(Post("/hold", body)));
  r = third.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  server->Stop();
}

TEST(HttpServerStartTest, RequireLoopbackRefusesOtherAddresses) {
  Router router;
  HttpServerOptions o;
  o.host = "0.0.0.0";
  o.require_loopback = true;
  Result<std::unique_ptr<HttpServer>> s = HttpServer::Start(o, router);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("not a loopback address"));
}

TEST(HttpServerStartTest, BindFailureIsIOError) {
  Router router;
  HttpServerOptions o;
  Result<std::unique_ptr<HttpServer>> first = HttpServer::Start(o, router);
  ASSERT_TRUE(first.ok());
  o.port = first.value()->port();
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(o, router);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kIOError);
  EXPECT_THAT(second.status().message(), HasSubstr("cannot listen on 127.0.0.1:"));
}

TEST(HttpServerStartTest, LoopbackDetection) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1").value());
  EXPECT_TRUE(IsLoopbackHost("::1").value());
  EXPECT_TRUE(IsLoopbackHost("localhost").value());
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0").value());
  EXPECT_FALSE(IsLoopbackHost("10.1.2.3").value());
}

}  // namespace
}  // namespace vigil
