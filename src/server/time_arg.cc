#include "server/time_arg.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "core/timestamp.h"

namespace vigil {

namespace {

// ns per unit, or 0 for an unknown unit.
int64_t UnitNanos(std::string_view unit) {
  constexpr int64_t kSecond = kNanosPerSecond;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return kSecond;
  if (unit == "m") return 60 * kSecond;
  if (unit == "h") return 3600 * kSecond;
  if (unit == "d") return 86'400 * kSecond;
  if (unit == "w") return 7 * 86'400 * kSecond;
  return 0;
}

// "+15m" / "-2h" after "now" (or alone). `sign` is the offset's first character.
Result<int64_t> ParseOffset(std::string_view text, std::string_view offset, int64_t now_ns) {
  const auto bad = [&] {
    return Status::InvalidArgument(
        "invalid relative time \"" + std::string(text) +
        "\": expected e.g. -15m, -2h, -1d, now-30s (units ms s m h d w)");
  };
  const bool negative = offset.front() == '-';
  offset.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), n);
  if (ec != std::errc() || end == offset.data()) return bad();
  const int64_t unit = UnitNanos(std::string_view(end, offset.data() + offset.size() - end));
  if (unit == 0) return bad();
  int64_t delta = 0;
  if (__builtin_mul_overflow(n, unit, &delta)) return bad();
  int64_t out = 0;
  if (negative ? __builtin_sub_overflow(now_ns, delta, &out)
               : __builtin_add_overflow(now_ns, delta, &out)) {
    return bad();
  }
  return out;
}

}  // namespace

Result<int64_t> ParseTimeArg(std::string_view text, int64_t now_ns) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t == "now") return now_ns;
  const auto is_sign = [](std::string_view s) {
    return !s.empty() && (s[0] == '-' || s[0] == '+');
  };
  if (t.starts_with("now")) {
    t.remove_prefix(3);
    if (is_sign(t)) return ParseOffset(text, t, now_ns);
    return Status::InvalidArgument("invalid time \"" + std::string(text) +
                                   "\": expected now, now-15m, -15m or an ISO 8601 time");
  }
  // An offset has a unit; "-1" or "+1767225600" alone is an epoch number.
  if (is_sign(t) && t.find_first_not_of("+-0123456789.") != std::string_view::npos) {
    return ParseOffset(text, t, now_ns);
  }
  return ParseTimestampString(t);
}

Result<int64_t> EpochMillisToNs(double ms) {
  const double ns = std::round(ms * 1e6);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (!std::isfinite(ns) || ns >= 9223372036854775808.0 || ns < -9223372036854775808.0) {
    return Status::InvalidArgument("epoch milliseconds out of range");
  }
  return static_cast<int64_t>(ns);
}

}  // namespace vigil
