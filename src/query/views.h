// Views: named sources a query can start from (`source errors | ...`, `SELECT ... FROM
// errors`) instead of raw events.
//
// A view is a Logs Insights command prefix that the planner runs before the query's own
// commands ("filter @kind = 'cron' | fields ..."); an empty prefix is all events. The
// built-in view `events` is the raw events; other modules register theirs at startup.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::query {

struct ViewDef {
  std::string name;         // as written after `source` / FROM (case-sensitive)
  std::string description;  // one line, for listings
  std::string prefix;       // Logs Insights commands; empty = all events
};

// Thread-safe: registration and lookups may happen concurrently.
class ViewRegistry {
 public:
  ViewRegistry();  // holds the built-in `events`

  // Adds `view`, replacing a view of the same name.
  void Register(ViewDef view);
  // The view named `name`, or nullopt.
  std::optional<ViewDef> Find(std::string_view name) const;
  // Every view name, sorted.
  std::vector<std::string> Names() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ViewDef, std::less<>> views_;  // guarded by mu_
};

// The process-wide registry that queries use unless told otherwise. Never null.
ViewRegistry& DefaultViews();

}  // namespace vigil::query
