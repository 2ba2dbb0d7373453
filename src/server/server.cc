#include "server/server.h"

#include <chrono>
#include <iostream>

#include "server/api.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/server_metrics.h"

namespace vigil {

namespace {

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void LogToStderr(std::string_view line) { std::cerr << "vigil: " << line << std::endl; }

}  // namespace

// Members are declared in dependency order: the HTTP server (last) is stopped and
// destroyed first, while the router, handlers and metrics it uses still exist.
struct Server::Impl {
  Impl(const Config& c, Store& store, ServerOptions o, bool metrics_public)
      : config(c),
        options(std::move(o)),
        auth(config.api_keys),
        metrics(registry),
        api(ApiDeps{store, config, auth, registry, metrics, options.now_ns, metrics_public}) {
    registry.AddCollector([&store](PrometheusWriter& w) { WriteStoreMetrics(store.Stats(), w); });
    api.Register(router);
  }

  const Config config;
  const ServerOptions options;
  const Authenticator auth;
  MetricsRegistry registry;
  ServerMetrics metrics;
  Api api;
  Router router;
  std::unique_ptr<HttpServer> http;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(const Config& config, Store& store,
                                              ServerOptions options) {
  if (!options.now_ns) options.now_ns = SystemNowNs;
  if (!options.log) options.log = LogToStderr;
  ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(config.listen));
  ASSIGN_OR_RETURN(bool loopback, IsLoopbackHost(listen.host));
  const bool auth_on = !config.api_keys.empty();
  if (!auth_on && !loopback) {
    return Status::InvalidArgument(
        "refusing to listen on " + config.listen +
        ": no api_keys are configured, so authentication is off and only a loopback address "
        "(127.0.0.1, [::1], localhost) is allowed; add api_keys to the config file or listen "
        "on 127.0.0.1");
  }
  // Prometheus scrapers usually carry no token: /metrics is open when only local
  // processes can reach it.
  auto impl = std::make_unique<Impl>(config, store, options, /*metrics_public=*/loopback);

  HttpServerOptions http;
  http.host = listen.host;
  http.port = listen.port;
  http.require_loopback = !auth_on;
  http.max_body_bytes = config.max_body_bytes;
  http.io_threads = options.io_threads;
  http.worker_threads = options.worker_threads;
  http.log = options.log;
  CounterFamily& requests = impl->metrics.http_requests;
  http.on_response = [&requests](std::string_view route, int status) {
    requests.With({std::string(route), std::to_string(status)}).Inc();
  };
  ASSIGN_OR_RETURN(impl->http, HttpServer::Start(http, impl->router));

  if (auth_on) {
    options.log("authentication on: " + std::to_string(config.api_keys.size()) +
                " API key(s) configured");
  } else {
    options.log("authentication OFF (no api_keys configured): serving " + impl->http->address() +
                " on loopback only");
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->http->port(); }

std::string Server::address() const { return impl_->http->address(); }

void Server::Stop(std::chrono::milliseconds drain) {
  if (impl_->http) impl_->http->Stop(drain);
}

}  // namespace vigil
