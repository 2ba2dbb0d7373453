#include "alert/dispatcher.h"

namespace vigil::alert {

class DispatcherImpl {};

Dispatcher::Dispatcher(std::unique_ptr<DispatcherImpl> impl) : impl_(std::move(impl)) {}
Dispatcher::~Dispatcher() = default;

Result<std::unique_ptr<Dispatcher>> Dispatcher::Open(DispatcherDeps deps, const YAML::Node& alerting) {
  (void)deps;
  (void)alerting;
  return std::unique_ptr<Dispatcher>(new Dispatcher(std::make_unique<DispatcherImpl>()));
}

Status Dispatcher::Enqueue(const AlertNotice& notice) {
  (void)notice;
  return Status::Unsupported("notifications are not implemented yet");
}

Status Dispatcher::Reload(const YAML::Node& alerting) {
  (void)alerting;
  return Status::OK();
}

void Dispatcher::RegisterRoutes(Router& router) { (void)router; }

bool Dispatcher::Muted(const std::map<std::string, std::string>& labels, std::string* why) const {
  (void)labels;
  (void)why;
  return false;
}

void Dispatcher::Tick() {}
void Dispatcher::Stop() {}

}  // namespace vigil::alert
