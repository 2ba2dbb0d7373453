// CircuitBreaker: the runbook's shipping breaker, with its numbers configurable.
//
//   closed ──(N consecutive failures)──► open ──(cooldown passed)──► half-open
//      ▲                                  ▲                              │ one probe
//      └───────────── probe succeeded ────┼──────────────────────────────┤
//                                         └──────── probe failed ────────┘
//
// Time comes in as an argument, so tests drive it without sleeping.
// Thread-safety: none (the shipper's loop owns it).
#pragma once

#include <chrono>
#include <string_view>

namespace vigil {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kClosed, kOpen, kHalfOpen };

  // REQUIRES: failures_to_open >= 1, cooldown >= 0.
  CircuitBreaker(int failures_to_open, Clock::duration cooldown);

  // Whether a request may be sent at `now`. In the open state, the first call at or
  // after the end of the cooldown moves to half-open and returns true: that request is
  // the probe. In half-open no second request is allowed until the probe's outcome is
  // recorded.
  bool AllowRequest(Clock::time_point now);

  void RecordSuccess();
  // Returns true when this failure opened the breaker (the Nth consecutive failure in
  // the closed state, or a failed probe).
  bool RecordFailure(Clock::time_point now);

  State state() const { return state_; }
  int consecutive_failures() const { return failures_; }
  // When an open breaker allows its probe. Meaningful only in the open state.
  Clock::time_point reopen_at() const { return reopen_at_; }

 private:
  const int failures_to_open_;
  const Clock::duration cooldown_;
  State state_ = State::kClosed;
  int failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::time_point reopen_at_{};
};

std::string_view BreakerStateName(CircuitBreaker::State s);

}  // namespace vigil
