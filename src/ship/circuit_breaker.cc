#include "ship/circuit_breaker.h"

namespace vigil {

CircuitBreaker::CircuitBreaker(int failures_to_open, Clock::duration cooldown)
    : failures_to_open_(failures_to_open < 1 ? 1 : failures_to_open),
      cooldown_(cooldown < Clock::duration::zero() ? Clock::duration::zero() : cooldown) {}

bool CircuitBreaker::AllowRequest(Clock::time_point now) {
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now < reopen_at_) return false;
      state_ = State::kHalfOpen;
      probe_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  state_ = State::kClosed;
  failures_ = 0;
  probe_in_flight_ = false;
}

bool CircuitBreaker::RecordFailure(Clock::time_point now) {
  ++failures_;
  probe_in_flight_ = false;
  if (state_ == State::kHalfOpen || (state_ == State::kClosed && failures_ >= failures_to_open_)) {
    state_ = State::kOpen;
    reopen_at_ = now + cooldown_;
    return true;
  }
  return false;
}

std::string_view BreakerStateName(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half-open";
  }
  return "?";
}

}  // namespace vigil
