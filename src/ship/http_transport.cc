#include "ship/http_transport.h"

#include <zlib.h>
#include <zstd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vigil {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpTransport::Impl {
  std::string host, port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  bool connected = false;

  // Runs the queued asynchronous operations; tcp_stream's expiry cancels them.
  beast::error_code Run(beast::error_code& ec) {
    ioc.restart();
    ioc.run();
    return ec;
  }

  void Drop() {
    beast::error_code ignored;
    stream.socket().close(ignored);
    connected = false;
  }

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    stream.expires_after(timeout);
    stream.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    if (Run(ec)) {
      Drop();
      return Status::Unavailable("cannot connect to " + host + ":" + port + ": " + ec.message());
    }
    connected = true;
    return Status::OK();
  }

  Result<ShipReply> Once(const http::request<http::string_body>& req, bool* timed_out) {
    *timed_out = false;
    if (!connected) RETURN_IF_ERROR(Connect());
    beast::error_code ec;
    stream.expires_after(timeout);
    http::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!Run(ec)) {
      http::async_read(stream, buf, parser, [&](beast::error_code e, size_t) { ec = e; });
      Run(ec);
    }
    if (ec) {
      Drop();
      *timed_out = ec == beast::error::timeout;
      std::string what = *timed_out ? "no answer within " +
                                                           std::to_string(timeout.count()) + " ms"
                                                     : ec.message();
      return Status::Unavailable("request to " + host + ":" + port + " failed: " + what);
    }
    auto res = parser.release();
    if (!res.keep_alive()) Drop();
    return ShipReply{static_cast<int>(res.result_int()), std::move(res.body())};
  }
};

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpTransport::~HttpTransport() = default;

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(const std::string& base_url,
                                                             std::chrono::milliseconds timeout) {
  const std::string scheme = "http://";
  if (base_url.rfind(scheme, 0) != 0)
    return Status::InvalidArgument("server URL must start with http://: " + base_url);
  std::string rest = base_url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  auto impl = std::make_unique<Impl>();
  size_t colon = rest.rfind(':');
  impl->host = colon == std::string::npos ? rest : rest.substr(0, colon);
  impl->port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  impl->timeout = timeout;
  if (impl->host.empty()) return Status::InvalidArgument("server URL has no host: " + base_url);
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

Result<ShipReply> HttpTransport::Post(
    const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
    std::string body) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, impl_->host);
  req.keep_alive(true);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  bool was_connected = impl_->connected, timed_out = false;
  auto r = impl_->Once(req, &timed_out);
  // A kept-alive connection the server closed while idle fails at once: retry once on a
  // fresh one (a duplicate is dropped by the server). Not after a timeout: the deadline
  // covers the whole attempt.
  if (!r.ok() && was_connected && !timed_out) r = impl_->Once(req, &timed_out);
  return r;
}

Result<std::string> Compress(Compression c, std::string_view in, std::string* out) {
  out->clear();
  if (c == Compression::kNone) {
    out->assign(in);
    return std::string();
  }
  if (c == Compression::kZstd) {
    out->resize(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), 1);
    if (ZSTD_isError(n)) return Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(n));
    out->resize(n);
    return std::string("zstd");
  }
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::IOError("gzip: deflateInit2 failed");
  out->resize(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&z, Z_FINISH);
  out->resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::IOError("gzip: deflate failed");
  return std::string("gzip");
}

}  // namespace vigil
