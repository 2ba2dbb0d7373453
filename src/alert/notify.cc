#include "alert/notify.h"

namespace vigil::alert {

const char* AlarmStateName(AlarmState s) {
  switch (s) {
    case AlarmState::kOk: return "OK";
    case AlarmState::kPending: return "PENDING";
    case AlarmState::kAlarm: return "ALARM";
    case AlarmState::kInsufficientData: return "INSUFFICIENT_DATA";
  }
  return "UNKNOWN";
}

}  // namespace vigil::alert
