#include "query/views.h"

namespace vigil::query {

ViewRegistry::ViewRegistry() { Register(ViewDef{"events", "every event, as stored", "", nullptr, {}, {}}); }

void ViewRegistry::Register(ViewDef view) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string name = view.name;
  views_[std::move(name)] = std::move(view);
}

std::optional<ViewDef> ViewRegistry::Find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(name);
  if (it == views_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> ViewRegistry::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, view] : views_) out.push_back(name);
  return out;
}

ViewRegistry& DefaultViews() {
  static ViewRegistry registry;
  return registry;
}

}  // namespace vigil::query
