// Run flags: runs that look wrong although they succeeded.
//
//   too_long / too_short: the run's duration is more than `factor` times the median of
//     the same job's (and tenant's) previous `history` durations, or less than that
//     median divided by `factor`; judged only once `min_history` earlier runs are known.
//   too_often: a monitored job started before its schedule allows: the start comes
//     earlier than the time the schedule makes the next start due after the previous one
//     (Schedule::DueAfterStart), less a tolerance of min(grace, half the gap between the
//     previous start and that due time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "cron/schedule.h"

namespace vigil::cron {

struct FlagRules {
  size_t history = 20;
  size_t min_history = 5;
  double factor = 5.0;
};

inline constexpr std::string_view kTooLong = "too_long";
inline constexpr std::string_view kTooShort = "too_short";
inline constexpr std::string_view kTooOften = "too_often";

// Judges `duration_ms` against `recent` (oldest first), then appends it, keeping at most
// rules.history values. Returns kTooLong, kTooShort or "".
std::string_view DurationFlag(const FlagRules& rules, std::deque<double>* recent, double duration_ms);

// Whether a start at `start_ns` comes too soon after a start at `prev_start_ns`.
bool TooOften(const Schedule& schedule, int64_t grace_ns, int64_t prev_start_ns, int64_t start_ns);

// A run's duration in ms as ns, clamped to [0, 100 years] (durations come from logs).
int64_t DurationNs(double ms);

// "a,b" of the non-empty flags.
std::string JoinFlags(std::string_view a, std::string_view b);

}  // namespace vigil::cron
