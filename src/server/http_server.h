// HttpServer: HTTP/1.1 on Boost.Beast, a thin transport in front of a Router.
//
// Threads: a few I/O threads run an io_context with asynchronous accept, read and write,
// so a slow client only costs a socket; a fixed pool of worker threads decodes bodies
// and runs handlers, so a slow handler (an ingest waiting for its WAL fsync, a long
// query) never stalls I/O. Connections are kept alive between requests.
//
// Limits enforced here, before any handler runs:
//   body larger than max_body_bytes (by Content-Length up front, or while reading a
//   chunked body)                       -> 413, connection closed
//   decoded gzip/zstd body larger than max_body_bytes (decompression bomb) -> 413
//   corrupt or truncated gzip/zstd body -> 400
//   unknown Content-Encoding            -> 415, connection closed
//   header larger than 64 KiB           -> 431, connection closed
//   malformed HTTP                      -> 400, connection closed
// Every error body is `{"error": {"code": ..., "message": ...}}`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/router.h"

namespace vigil {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // IP address or name (the first resolved address)
  uint16_t port = 0;               // 0 picks a free port; see HttpServer::port()
  // Refuse (InvalidArgument) to bind an address that is not loopback.
  bool require_loopback = false;
  size_t max_body_bytes = 64u << 20;  // before and after Content-Encoding
  // Request bytes (by Content-Length) all connections together may hold at once, from
  // header to answer; beyond it a request gets 503 with Retry-After instead of the
  // server's memory. A request alone always fits. 0: 8 x max_body_bytes.
  size_t max_inflight_body_bytes = 0;
  int io_threads = 2;
  int worker_threads = 0;  // 0: max(4, 2 x hardware threads)
  // An idle keep-alive connection, or one sending its header, is closed after this.
  std::chrono::milliseconds header_timeout{60'000};
  // Reading one request body, and writing one response, must finish within this.
  std::chrono::milliseconds body_timeout{300'000};
  // Called once per answer, with the router's route label and the status, on an I/O
  // thread just before the answer is written. Must be thread-safe and quick. May be empty.
  std::function<void(std::string_view route, int status)> on_response;
  // Receives internal errors worth an operator's attention. May be empty.
  std::function<void(std::string_view message)> log;
};

// Resolves `host` as HttpServer::Start does (an IP literal, else the first address the
// name resolves to) and says whether it is a loopback address. InvalidArgument when the
// name does not resolve.
Result<bool> IsLoopbackHost(const std::string& host);

class HttpServer {
 public:
  // Binds options.host:options.port and starts serving `router`, which must outlive the
  // server and not change. Returns InvalidArgument for a host that cannot be resolved
  // (or is not loopback when required) and IOError when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   const Router& router);
  // Stops the server (Stop with the default drain time) if still running.
  ~HttpServer();

  // The bound port (the ephemeral one when options.port was 0).
  uint16_t port() const;
  // The bound address as "HOST:PORT" ("[::1]:7700" for IPv6).
  std::string address() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish and answer
  // (each with `Connection: close`) for up to `drain`, then closes every connection and
  // joins all threads. A handler still running after `drain` is waited for; requests
  // still queued for a worker are dropped. Idempotent. Call from one thread, not from a
  // handler.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
