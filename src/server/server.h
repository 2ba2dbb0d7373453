// The Vigil server: the HTTP API (docs/api.md) over a Store. This is the server module's
// public header; `vigil serve` needs only this.
//
//   ASSIGN_OR_RETURN(Config config, LoadConfig(path));   // or Config{} for defaults
//   config.listen = flag_listen;                          // flags override the file
//   ASSIGN_OR_RETURN(auto server, Server::Start(config, *store));
//   ... wait for SIGINT/SIGTERM ...
//   server->Stop();                                       // then close the store
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/config.h"
#include "server/module.h"
#include "store/store.h"

namespace vigil {

struct ServerOptions {
  // Wall clock in ns since the epoch (ingest time, relative query times). Empty: the
  // system clock.
  std::function<int64_t()> now_ns;
  // One line per call: the start-up banner and internal errors. Empty: stderr.
  std::function<void(std::string_view)> log;
  // Features plugged into the server (module.h), built in this order at Start.
  std::vector<ModuleFactory> modules;
  // Re-reads the configuration for POST /api/v1/reload (admin). Empty: that route
  // answers 501.
  std::function<Result<Config>()> load_config;
  // The SQLite state file of the modules; empty: StateDb::PathIn(config.data_dir).
  std::string state_path;
  int io_threads = 2;
  int worker_threads = 0;  // 0: max(4, 2 x hardware threads)
};

class Server {
 public:
  // Starts serving `config.listen` and returns once the socket accepts connections.
  // `store` must outlive the server. Returns InvalidArgument when `config.listen` is
  // malformed, or when no api_keys are configured and the address is not loopback
  // (authentication is off then, so the server only ever listens on loopback); IOError
  // when the address cannot be bound. Logs whether authentication is on.
  static Result<std::unique_ptr<Server>> Start(const Config& config, Store& store,
                                               ServerOptions options = {});
  // Stops the server if still running.
  ~Server();

  // The bound port (the chosen one when config.listen asked for port 0).
  uint16_t port() const;
  // The bound address, "HOST:PORT".
  std::string address() const;

  // Hands `config` to every module (alarm rules, monitors, ...). Settings of the server
  // itself (listen, keys) keep their start-up values. Thread-safe.
  Status Reload(const Config& config);

  // Stops accepting, lets in-flight requests finish for up to `drain`, closes every
  // connection and joins the server's threads, then stops the modules. Does not close
  // the store. Idempotent.
  // Not thread-safe: call from one thread, never from a handler.
  void Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
