#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vigil {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host, port;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  bool connected = false;

  Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, port, ec);
    if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    stream.connect(results, ec);
    if (ec) return Status::Unavailable("cannot connect to " + host + ":" + port + ": " + ec.message());
    connected = true;
    return Status::OK();
  }

  Result<HttpReply> Once(const http::request<http::string_body>& req) {
    if (!connected) RETURN_IF_ERROR(Connect());
    beast::error_code ec;
    http::write(stream, req, ec);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    if (!ec) http::read(stream, buf, parser, ec);
    if (ec) {
      connected = false;
      stream.close();
      return Status::Unavailable("request to " + host + ":" + port + " failed: " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) {
      connected = false;
      stream.close();
    }
    return HttpReply{static_cast<int>(res.result_int()), std::move(res.body())};
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& base_url) {
  const std::string scheme = "http://";
  if (base_url.rfind(scheme, 0) != 0)
    return Status::InvalidArgument("server URL must start with http://: " + base_url);
  std::string rest = base_url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  auto impl = std::make_unique<Impl>();
  size_t colon = rest.rfind(':');
  impl->host = colon == std::string::npos ? rest : rest.substr(0, colon);
  impl->port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (impl->host.empty()) return Status::InvalidArgument("server URL has no host: " + base_url);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<HttpReply> HttpClient::Post(
    const std::string& path, const std::string& content_type, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return Send("POST", path, content_type, body, headers);
}

Result<HttpReply> HttpClient::Send(
    const std::string& method, const std::string& path, const std::string& content_type,
    const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return Status::InvalidArgument("unknown HTTP method " + method);
  http::request<http::string_body> req{verb, path, 11};
  req.set(http::field::host, impl_->host);
  if (!body.empty()) req.set(http::field::content_type, content_type);
  req.keep_alive(true);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bool was_connected = impl_->connected;
  auto r = impl_->Once(req);
  if (!r.ok() && was_connected) r = impl_->Once(req);  // server closed an idle connection
  return r;
}

}  // namespace vigil
