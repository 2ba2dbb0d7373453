#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/body_decoder.h"
#include "server/thread_annotations.h"

namespace vigil {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// After an error answered before the body was read, keep reading (and discarding) for
// this long so that closing does not reset the connection before the client has read
// the response.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::chrono::milliseconds kAcceptRetry{50};
// How long Stop waits for force-closed connections to wind down.
constexpr std::chrono::milliseconds kForceCloseWait{1000};

std::string FormatEndpoint(const tcp::endpoint& ep) {
  const net::ip::address a = ep.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(ep.port());
}

// A parse error (as opposed to a socket error or timeout).
bool IsHttpError(beast::error_code ec) {
  return ec && ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

std::string_view PathOf(beast::string_view target) {
  std::string_view t = SV(target);
  return t.substr(0, t.find('?'));
}

}  // namespace

struct HttpServer::Impl {
  class Session;

  Impl(const HttpServerOptions& o, const Router& r)
      : options(o),
        router(r),
        acceptor(net::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        workers(static_cast<size_t>(o.worker_threads)) {}

  Status Bind();
  void Run();
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Log(std::string_view message) const {
    if (options.log) options.log(message);
  }
  void Register(Session* s, std::weak_ptr<Session> w) EXCLUDES(mu);
  void Unregister(Session* s) EXCLUDES(mu);
  void Stop(std::chrono::milliseconds drain) EXCLUDES(mu);
  std::vector<std::shared_ptr<Session>> LiveSessions() EXCLUDES(mu);
  void WaitForSessions(std::chrono::milliseconds timeout) EXCLUDES(mu);

  const HttpServerOptions options;
  const Router& router;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> inflight_bytes{0};  // reserved by requests between header and answer
  bool stopped = false;  // Stop() has run; only touched by the thread calling Stop()

  // Declared before the io_context so that sessions destroyed with it can unregister.
  std::mutex mu;
  std::condition_variable sessions_closed;
  std::map<Session*, std::weak_ptr<Session>> sessions GUARDED_BY(mu);

  net::io_context ioc;
  // Keeps the I/O threads running while a request is with a worker and nothing else is
  // pending (e.g. during Stop, once the acceptor is closed).
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  net::thread_pool workers;
  std::vector<std::thread> io_threads;
  tcp::endpoint local;
};

// One connection. Members are touched only on the connection's strand; the worker that
// runs a request's handler reads only the immutable peer_ and server_.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Impl& server) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = FormatEndpoint(peer);
  }
  ~Session() {
    Release();
    server_.Unregister(this);
  }

  void Start() {
    server_.Register(this, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // The server is stopping: finish the current request, if any, then close.
  void OnServerStop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->close_after_ = true;
      if (self->state_ == State::kIdle) self->stream_.cancel();
    });
  }

  // Closes the connection now, whatever it is doing.
  void ForceClose() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kIdle, kBusy, kClosing };

  void ReadHeader();
  void OnHeader(beast::error_code ec);
  // The answer to a request that must be refused from its header alone, if any.
  std::optional<HttpResponse> RejectHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  HttpResponse Handle(http::request<http::string_body>&& req) const;
  // Sends `res`; `close` ends the connection afterwards; `unread` means the request body
  // was not read, so the connection lingers before closing.
  void Respond(HttpResponse&& res, bool close, bool unread);
  void OnWrite(bool close, bool unread, beast::error_code ec);
  void Linger();
  void Discard();
  void Close();
  // Takes `bytes` of the server's in-flight budget for this request; false when full.
  bool Reserve(uint64_t bytes);
  void Release();

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;  // while being written
  std::array<char, 16 * 1024> discard_;
  std::string peer_;
  std::string route_ = "unmatched";
  std::atomic<uint64_t> reserved_{0};  // this request's share of server_.inflight_bytes
  unsigned version_ = 11;
  State state_ = State::kIdle;
  bool close_after_ = false;
};

void HttpServer::Impl::Session::ReadHeader() {
  if (close_after_ || server_.stopping.load()) return Close();
  state_ = State::kIdle;
  route_ = "unmatched";
  version_ = 11;
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  // The body limit is applied in OnHeader: set here, an oversized Content-Length would
  // fail the header read and lose the method and path. (Not boost::none: Beast 1.74
  // compares `length > limit` with the optional, and an empty optional is less than any
  // value, so none would reject every body.)
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  stream_.expires_after(server_.options.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpServer::Impl::Session::OnHeader(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout || (ec && !IsHttpError(ec))) {
    return Close();  // the client went away or was idle too long
  }
  state_ = State::kBusy;
  if (std::optional<HttpResponse> error = RejectHeader(ec)) {
    return Respond(std::move(*error), true, true);
  }
  if (!Reserve(parser_->content_length().value_or(0))) {
    HttpResponse busy = HttpResponse::Error(Status::Unavailable(
        "server busy: too many request bytes in flight (max_inflight_body_bytes); retry"));
    busy.headers.emplace_back("Retry-After", "1");
    return Respond(std::move(busy), true, true);
  }
  parser_->body_limit(server_.options.max_body_bytes);
  if (parser_->is_done()) return OnBody({});
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    continue_.emplace(http::status::continue_, version_);
    return http::async_write(stream_, *continue_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->ReadBody();
                             });
  }
  ReadBody();
}

std::optional<HttpResponse> HttpServer::Impl::Session::RejectHeader(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    return HttpResponse::Error(
        431, "ResourceExhausted",
        "request header exceeds " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (ec)
    return HttpResponse::Error(400, "InvalidArgument", "malformed HTTP request: " + ec.message());
  const auto& req = parser_->get();
  version_ = req.version();
  route_ = std::string(server_.router.RouteLabel(PathOf(req.target())));
  const size_t limit = server_.options.max_body_bytes;
  if (auto length = parser_->content_length(); length && *length > limit) {
    return HttpResponse::Error(Status::ResourceExhausted(
        "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
        std::to_string(limit) + " bytes (max_body_bytes)"));
  }
  if (Status st = CheckEncoding(SV(req[http::field::content_encoding])); !st.ok()) {
    return HttpResponse::Error(st);
  }
  return std::nullopt;
}

void HttpServer::Impl::Session::ReadBody() {
  stream_.expires_after(server_.options.body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void HttpServer::Impl::Session::OnBody(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    return Respond(HttpResponse::Error(Status::ResourceExhausted(
                       "request body exceeds the limit of " +
                       std::to_string(server_.options.max_body_bytes) + " bytes (max_body_bytes)")),
                   true, true);
  }
  if (IsHttpError(ec) && ec != http::error::end_of_stream) {
    return Respond(
        HttpResponse::Error(400, "InvalidArgument", "malformed HTTP body: " + ec.message()), true,
        true);
  }
  if (ec) return Close();
  stream_.expires_never();
  http::request<http::string_body> req = parser_->release();
  const bool close = !req.keep_alive();
  net::post(server_.workers, [self = shared_from_this(), req = std::move(req), close]() mutable {
    HttpResponse res = self->Handle(std::move(req));
    self->Release();  // the request's body is gone
    net::post(self->stream_.get_executor(), [self, res = std::move(res), close]() mutable {
      self->Respond(std::move(res), close, false);
    });
  });
}

// Runs on a worker thread.
HttpResponse HttpServer::Impl::Session::Handle(http::request<http::string_body>&& req) const {
  HttpRequest r;
  r.method = std::string(SV(req.method_string()));
  r.peer = peer_;
  if (Status st = ParseTarget(SV(req.target()), &r.path, &r.query); !st.ok()) {
    return HttpResponse::Error(st);
  }
  for (const auto& field : req) {
    r.headers.Add(std::string(SV(field.name_string())), std::string(SV(field.value())));
  }
  Result<std::string> body = DecodeBody(SV(req[http::field::content_encoding]),
                                        std::move(req.body()), server_.options.max_body_bytes);
  if (!body.ok()) return HttpResponse::Error(body.status());
  r.body = std::move(body).value();
  try {
    return server_.router.Dispatch(r);
  } catch (const std::exception& e) {
    server_.Log("handler for " + r.method + " " + r.path + " threw: " + e.what());
    return HttpResponse::Error(500, "Internal", std::string("internal error: ") + e.what());
  }
}

bool HttpServer::Impl::Session::Reserve(uint64_t bytes) {
  if (bytes == 0) return true;
  const uint64_t cap = server_.options.max_inflight_body_bytes != 0
                           ? server_.options.max_inflight_body_bytes
                           : uint64_t{8} * server_.options.max_body_bytes;
  const uint64_t before = server_.inflight_bytes.fetch_add(bytes);
  if (before > 0 && before + bytes > cap) {
    server_.inflight_bytes.fetch_sub(bytes);
    return false;
  }
  reserved_.fetch_add(bytes);
  return true;
}

void HttpServer::Impl::Session::Release() {
  if (uint64_t r = reserved_.exchange(0)) server_.inflight_bytes.fetch_sub(r);
}

void HttpServer::Impl::Session::Respond(HttpResponse&& res, bool close, bool unread) {
  Release();
  close = close || close_after_ || server_.stopping.load();
  response_.emplace(static_cast<http::status>(res.status), version_);
  response_->set(http::field::server, "Vigil");
  if (res.status != 204 && res.status != 304) {
    response_->set(http::field::content_type, res.content_type);
  }
  for (auto& [name, value] : res.headers) response_->insert(name, value);
  response_->body() = std::move(res.body);
  response_->keep_alive(!close);
  response_->prepare_payload();
  // Reported before the write, so a client that has read its answer sees it counted.
  if (server_.options.on_response) server_.options.on_response(route_, res.status);
  stream_.expires_after(server_.options.body_timeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close, unread](beast::error_code ec, size_t) {
                      self->OnWrite(close, unread, ec);
                    });
}

void HttpServer::Impl::Session::OnWrite(bool close, bool unread, beast::error_code ec) {
  response_.reset();
  if (ec) return Close();
  if (!close) return ReadHeader();
  if (unread) return Linger();
  Close();
}

void HttpServer::Impl::Session::Linger() {
  state_ = State::kClosing;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  Discard();
}

void HttpServer::Impl::Session::Discard() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();  // EOF, timeout or reset
                            self->Discard();
                          });
}

void HttpServer::Impl::Session::Close() {
  state_ = State::kClosing;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

namespace {

// The endpoint HttpServer binds for host:port.
Result<tcp::endpoint> Resolve(const std::string& host, uint16_t port) {
  beast::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(addr, port);
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve listen host \"" + host +
                                   "\": " + (ec ? ec.message() : "no addresses"));
  }
  return results.begin()->endpoint();
}

}  // namespace

Status HttpServer::Impl::Bind() {
  const std::string where = options.host + ":" + std::to_string(options.port);
  ASSIGN_OR_RETURN(tcp::endpoint ep, Resolve(options.host, options.port));
  beast::error_code ec;
  if (options.require_loopback && !ep.address().is_loopback()) {
    return Status::InvalidArgument("refusing to listen on " + where + " (" + FormatEndpoint(ep) +
                                   "): it is not a loopback address and no api_keys are "
                                   "configured; add api_keys or listen on 127.0.0.1");
  }
  const auto fail = [&](const char* step) {
    return Status::IOError("cannot listen on " + where + ": " + step + ": " + ec.message());
  };
  if (acceptor.open(ep.protocol(), ec)) return fail("open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (acceptor.bind(ep, ec)) return fail("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  local = acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname");
  return Status::OK();
}

void HttpServer::Impl::Run() {
  Accept();
  for (int i = 0; i < options.io_threads; ++i) {
    io_threads.emplace_back([this] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          Log(std::string("I/O thread caught an exception: ") + e.what());
        }
      }
    });
  }
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: wait a little instead of spinning.
    Log("accept failed: " + ec.message());
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping.load()) Accept();
    });
    return;
  }
  std::make_shared<Session>(std::move(socket), *this)->Start();
  Accept();
}

void HttpServer::Impl::Register(Session* s, std::weak_ptr<Session> w) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.emplace(s, std::move(w));
}

void HttpServer::Impl::Unregister(Session* s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(s);
  if (sessions.empty()) sessions_closed.notify_all();
}

std::vector<std::shared_ptr<HttpServer::Impl::Session>> HttpServer::Impl::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [ptr, weak] : sessions) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void HttpServer::Impl::WaitForSessions(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu);
  sessions_closed.wait_for(lock, timeout, [this]() REQUIRES(mu) { return sessions.empty(); });
}

void HttpServer::Impl::Stop(std::chrono::milliseconds drain) {
  if (stopped) return;
  stopped = true;
  stopping.store(true);
  net::dispatch(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
  for (auto& s : LiveSessions()) s->OnServerStop();
  WaitForSessions(drain);
  // Past the drain time: close what is left, drop requests still queued for a worker and
  // wait for the handlers that are running.
  for (auto& s : LiveSessions()) s->ForceClose();
  workers.stop();
  workers.join();
  WaitForSessions(kForceCloseWait);
  work.reset();
  ioc.stop();
  for (std::thread& t : io_threads) t.join();
  io_threads.clear();
}

Result<bool> IsLoopbackHost(const std::string& host) {
  ASSIGN_OR_RETURN(tcp::endpoint ep, Resolve(host, 0));
  return ep.address().is_loopback();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      const Router& router) {
  HttpServerOptions o = options;
  if (o.io_threads < 1) o.io_threads = 1;
  if (o.worker_threads < 1) {
    o.worker_threads = std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  }
  auto impl = std::make_unique<Impl>(o, router);
  RETURN_IF_ERROR(impl->Bind());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->local.port(); }

std::string HttpServer::address() const { return FormatEndpoint(impl_->local); }

void HttpServer::Stop(std::chrono::milliseconds drain) { impl_->Stop(drain); }

}  // namespace vigil
