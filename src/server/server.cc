#include "server/server.h"

#include <chrono>
#include <iostream>
#include <mutex>

#include "server/api.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/server_metrics.h"
#include "state/state_db.h"

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
        api(ApiDeps{store, config, auth, registry, metrics, options.now_ns, metrics_public, &views}),
        context{store,
                config,
                auth,
                registry,
                views,
                api.query_options(),
                options.now_ns,
                options.log,
                options.state_path.empty() ? StateDb::PathIn(config.data_dir) : options.state_path,
                [this](Batch&& b) { return api.IngestBatch(std::move(b)); }} {
    registry.AddCollector([&store](PrometheusWriter& w) { WriteStoreMetrics(store.Stats(), w); });
    api.Register(router);
  }

  Status StartModules() {
    std::vector<ServerModule*> raw;
    for (const ModuleFactory& make : options.modules) {
      ASSIGN_OR_RETURN(std::unique_ptr<ServerModule> m, make(context));
      m->RegisterRoutes(router);
      raw.push_back(m.get());
      modules.push_back(std::move(m));
      api.SetModules(raw);  // each module's hook is live as soon as it exists
    }
    router.Add("POST", "/api/v1/reload",
               Guard(auth, Access::kAdmin, [this](const HttpRequest&) {
                 if (!options.load_config) {
                   return HttpResponse::Error(501, "Unimplemented",
                                              "this server was started without a config file");
                 }
                 Result<Config> c = options.load_config();
                 Status s = c.ok() ? Reload(c.value()) : c.status();
                 if (!s.ok()) return HttpResponse::Error(s);
                 return HttpResponse::Json(200, "{\"reloaded\":true}");
               }));
    return Status::OK();
  }

  Status Reload(const Config& c) {
    std::lock_guard<std::mutex> lock(reload_mu);
    Status first = Status::OK();
    for (auto& m : modules) {
      Status s = m->Reload(c);
      if (!s.ok() && first.ok()) first = s;
    }
    return first;
  }

  void StopModules() {
    for (auto it = modules.rbegin(); it != modules.rend(); ++it) (*it)->Stop();
    api.SetModules({});
    modules.clear();
  }

  const Config config;
  const ServerOptions options;
  const Authenticator auth;
  MetricsRegistry registry;
  ServerMetrics metrics;
  query::ViewRegistry views;
  Api api;
  ModuleContext context;
  Router router;
  std::mutex reload_mu;
  std::vector<std::unique_ptr<ServerModule>> modules;
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
  if (Status s = impl->StartModules(); !s.ok()) {
    impl->StopModules();
    return s;
  }

  HttpServerOptions http;
  http.host = listen.host;
  http.port = listen.port;
  http.require_loopback = !auth_on;
  http.max_body_bytes = config.max_body_bytes;
  http.max_inflight_body_bytes = config.max_inflight_body_bytes;
  http.io_threads = options.io_threads;
  http.worker_threads = options.worker_threads;
  http.log = options.log;
  CounterFamily& requests = impl->metrics.http_requests;
  http.on_response = [&requests](std::string_view route, int status) {
    requests.With({std::string(route), std::to_string(status)}).Inc();
  };
  Result<std::unique_ptr<HttpServer>> started = HttpServer::Start(http, impl->router);
  if (!started.ok()) {
    impl->StopModules();
    return started.status();
  }
  impl->http = std::move(started.value());

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

Status Server::Reload(const Config& config) { return impl_->Reload(config); }

void Server::Stop(std::chrono::milliseconds drain) {
  if (impl_->http) impl_->http->Stop(drain);
  impl_->StopModules();
}

}  // namespace vigil
