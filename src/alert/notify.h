// The boundary between alarm evaluation (rules.h, evaluator) and notification delivery
// (dispatcher: routing, grouping, silences, outbox, receivers).
//
// The evaluator hands every alarm-instance state change that may notify someone to a
// NotificationSink; the dispatcher persists it in its outbox before Enqueue returns, so
// nothing handed over is lost by a restart.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::alert {

enum class AlarmState { kOk, kPending, kAlarm, kInsufficientData };
const char* AlarmStateName(AlarmState s);  // "OK", "PENDING", "ALARM", "INSUFFICIENT_DATA"

// One alarm instance (a rule, or a rule and one group value) changing state.
struct AlertNotice {
  std::string rule;                           // the rule's name
  std::string instance;                       // stable id of the instance: rule + group labels
  std::map<std::string, std::string> labels;  // rule labels + group labels + alertname=rule
  std::map<std::string, std::string> annotations;  // templates already expanded
  AlarmState state = AlarmState::kAlarm;      // kAlarm: firing; kOk: resolved
  AlarmState previous = AlarmState::kOk;
  double value = 0;                           // the evaluated value that decided
  bool has_value = false;
  int64_t starts_at_ns = 0;                   // when the instance began firing
  int64_t ends_at_ns = 0;                     // resolved: when it stopped; else 0
  int64_t at_ns = 0;                          // when the change happened
  bool send_resolved = true;                  // the rule's send_resolved
  std::string link;                           // the rule's query over the alarm's window
};

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // Persists the notice (outbox) and schedules delivery. Thread-safe.
  virtual Status Enqueue(const AlertNotice& notice) = 0;
};

}  // namespace vigil::alert
