#include "core/timestamp.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace vigil {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kDaysFrom0000To1970 = 719468;  // 0000-03-01 .. 1970-01-01, see below
constexpr int64_t kDaysPer400Years = 146097;

// Floor division for a positive divisor.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

// The calendar repeats every 400 years (146097 days). Counting years from March makes
// the leap day the last day of the year, so day-of-year is a linear formula in the
// month: months Mar..Jan have the 31/30 pattern 153 days per 5 months.
int DayOfShiftedYear(int month, int day) {
  int mp = (month + 9) % 12;  // March = 0 .. February = 11
  return (153 * mp + 2) / 5 + day - 1;
}

void WriteDigits(char* p, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

std::string DayString(int64_t day) {
  CivilDate d = CivilFromDays(day);
  char buf[10];
  WriteDigits(buf, d.year, 4);
  buf[4] = '-';
  WriteDigits(buf + 5, d.month, 2);
  buf[7] = '-';
  WriteDigits(buf + 8, d.day, 2);
  return std::string(buf, sizeof buf);
}

Status Invalid(std::string_view text, std::string_view why) {
  constexpr size_t kShown = 64;
  std::string msg = "invalid timestamp \"";
  msg.append(text.substr(0, kShown));
  if (text.size() > kShown) msg.append("...");
  msg.append("\": ");
  msg.append(why);
  return Status::InvalidArgument(std::move(msg));
}

Status OutOfRange(std::string_view text) {
  return Invalid(text, "out of range (representable: 1677-09-21 .. 2262-04-11)");
}

// Reads a fixed number of ASCII digits from `s` at `*pos`.
bool ReadFixed(std::string_view s, size_t* pos, int n, int* out) {
  if (s.size() - *pos < static_cast<size_t>(n)) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*pos + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Reads up to 9 fraction digits as nanoseconds; further digits are skipped.
int64_t ReadFraction(std::string_view s, size_t* pos) {
  int64_t ns = 0;
  int digits = 0;
  for (; *pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9'; ++*pos) {
    if (digits == 9) continue;
    ns = ns * 10 + (s[*pos] - '0');
    ++digits;
  }
  for (; digits < 9; ++digits) ns *= 10;
  return ns;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ^[+-]?digits[.digits]?$ or with an exponent.
bool LooksNumeric(std::string_view s, bool* has_exponent) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  bool dot = false;
  *has_exponent = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (IsDigit(c)) {
      ++digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits > 0 && i + 1 < s.size()) {
      *has_exponent = true;
      size_t j = i + 1 + ((s[i + 1] == '-' || s[i + 1] == '+') ? 1 : 0);
      if (j >= s.size()) return false;
      for (; j < s.size(); ++j)
        if (!IsDigit(s[j])) return false;
      return true;
    } else {
      return false;
    }
  }
  return digits > 0;
}

// Decimal epoch number in text, exact: the unit comes from the integer part's
// magnitude and the fraction digits are scaled into that unit without a double.
Result<int64_t> ParseEpochText(std::string_view text) {
  bool has_exponent = false;
  if (!LooksNumeric(text, &has_exponent)) return Invalid(text, "expected RFC 3339 (2026-01-01T00:00:00Z) or an epoch number");
  if (has_exponent) {
    double v = std::strtod(std::string(text).c_str(), nullptr);
    if (!std::isfinite(v) || std::fabs(v) >= 9.2e18) return OutOfRange(text);
    return EpochNumberToNs(v);
  }
  bool negative = text[0] == '-';
  size_t pos = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  size_t dot = text.find('.');
  std::string_view int_part = text.substr(pos, (dot == text.npos ? text.size() : dot) - pos);
  uint64_t whole = 0;
  if (!int_part.empty()) {
    auto r = std::from_chars(int_part.data(), int_part.data() + int_part.size(), whole);
    if (r.ec != std::errc()) return OutOfRange(text);
  }
  int64_t unit = whole < 100'000'000'000ULL           ? kNanosPerSecond
                 : whole < 100'000'000'000'000ULL     ? 1'000'000
                 : whole < 100'000'000'000'000'000ULL ? 1'000
                                                      : 1;
  size_t frac_pos = dot == text.npos ? text.size() : dot + 1;
  int64_t frac_ns = ReadFraction(text, &frac_pos);       // fraction of one unit, in 1e-9
  int64_t frac = frac_ns / (kNanosPerSecond / unit);     // that fraction in ns
  if (whole > static_cast<uint64_t>(kMax)) return OutOfRange(text);
  int64_t ns;
  if (__builtin_mul_overflow(static_cast<int64_t>(whole), unit, &ns) ||
      __builtin_add_overflow(ns, frac, &ns))
    return OutOfRange(text);
  return negative ? -ns : ns;
}

struct ClockTime {
  int hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
};

// "HH:MM[:SS[.fff]]" at *pos.
Status ParseClock(std::string_view text, size_t* pos, ClockTime* t) {
  if (!ReadFixed(text, pos, 2, &t->hour)) return Invalid(text, "expected a 2-digit hour");
  if (t->hour > 23) return Invalid(text, "hour " + std::to_string(t->hour) + " out of range");
  if (*pos >= text.size() || text[*pos] != ':') return Invalid(text, "expected ':' after the hour");
  ++*pos;
  if (!ReadFixed(text, pos, 2, &t->minute)) return Invalid(text, "expected a 2-digit minute");
  if (t->minute > 59)
    return Invalid(text, "minute " + std::to_string(t->minute) + " out of range");
  if (*pos >= text.size() || text[*pos] != ':') return Status::OK();
  ++*pos;
  if (!ReadFixed(text, pos, 2, &t->second)) return Invalid(text, "expected a 2-digit second");
  if (t->second > 60)
    return Invalid(text, "second " + std::to_string(t->second) + " out of range");
  if (*pos < text.size() && (text[*pos] == '.' || text[*pos] == ',')) {
    ++*pos;
    if (*pos >= text.size() || !IsDigit(text[*pos]))
      return Invalid(text, "expected digits after the decimal point");
    t->nanos = ReadFraction(text, pos);
  }
  return Status::OK();
}

// Optional zone at *pos: Z, +HH:MM, +HHMM, +HH (or absent). Sets seconds east of UTC.
Status ParseZone(std::string_view text, size_t* pos, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (*pos < text.size() && text[*pos] == ' ' && *pos + 1 < text.size()) ++*pos;
  if (*pos >= text.size()) return Status::OK();
  char c = text[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    return Status::OK();
  }
  if (c != '+' && c != '-') return Status::OK();  // the caller reports trailing text
  ++*pos;
  int hours = 0, minutes = 0;
  if (!ReadFixed(text, pos, 2, &hours)) return Invalid(text, "expected a 2-digit offset hour");
  if (*pos < text.size() && text[*pos] == ':') ++*pos;
  if (*pos < text.size() && IsDigit(text[*pos]) && !ReadFixed(text, pos, 2, &minutes))
    return Invalid(text, "expected a 2-digit offset minute");
  if (hours > 23 || minutes > 59) return Invalid(text, "offset out of range");
  *offset_seconds = (c == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return Status::OK();
}

// "YYYY-MM-DD" at *pos, validated against the calendar.
Status ParseDate(std::string_view text, size_t* pos, int64_t* days) {
  int year = 0, month = 0, day = 0;
  if (!ReadFixed(text, pos, 4, &year)) return Invalid(text, "expected a 4-digit year");
  if (*pos >= text.size() || text[*pos] != '-') return Invalid(text, "expected '-' after the year");
  ++*pos;
  if (!ReadFixed(text, pos, 2, &month)) return Invalid(text, "expected a 2-digit month");
  if (month < 1 || month > 12) return Invalid(text, "month " + std::to_string(month) + " out of range");
  if (*pos >= text.size() || text[*pos] != '-') return Invalid(text, "expected '-' after the month");
  ++*pos;
  if (!ReadFixed(text, pos, 2, &day)) return Invalid(text, "expected a 2-digit day");
  if (day < 1 || day > DaysInMonth(year, month)) {
    std::string ym = std::string(text.substr(0, 7));
    return Invalid(text, "day " + std::to_string(day) + " out of range for " + ym);
  }
  *days = DaysFromCivil(year, month, day);
  return Status::OK();
}

Result<int64_t> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  int64_t days = 0;
  RETURN_IF_ERROR(ParseDate(text, &pos, &days));
  ClockTime t;
  int64_t offset = 0;
  if (pos < text.size()) {
    char sep = text[pos];
    if (sep != 'T' && sep != 't' && sep != ' ')
      return Invalid(text, "expected 'T' or ' ' after the date");
    ++pos;
    RETURN_IF_ERROR(ParseClock(text, &pos, &t));
    RETURN_IF_ERROR(ParseZone(text, &pos, &offset));
  }
  if (pos != text.size())
    return Invalid(text, "unexpected \"" + std::string(text.substr(pos, 16)) + "\" after the time");
  // At most ~3.2e11 seconds for years 0000..9999: no overflow before the ns scaling.
  int64_t seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset;
  if (seconds < 0 && t.nanos > 0) {  // borrow, so the earliest instant does not overflow
    seconds += 1;
    t.nanos -= kNanosPerSecond;
  }
  int64_t ns;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, t.nanos, &ns))
    return OutOfRange(text);
  return ns;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int64_t Saturate(bool negative) { return negative ? kMin : kMax; }

}  // namespace

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
  int64_t y = year - (month <= 2 ? 1 : 0);  // January and February end the shifted year
  int64_t era = FloorDiv(y, 400);
  int64_t year_of_era = y - era * 400;  // 0..399
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
                       DayOfShiftedYear(month, day);
  return era * kDaysPer400Years + day_of_era - kDaysFrom0000To1970;
}

CivilDate CivilFromDays(int64_t days) {
  int64_t z = days + kDaysFrom0000To1970;
  int64_t era = FloorDiv(z, kDaysPer400Years);
  int64_t doe = z - era * kDaysPer400Years;  // 0..146096
  // Remove the leap days accumulated so far to get the year of the era.
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // 0..365, from March 1st
  int64_t mp = (5 * doy + 2) / 153;
  CivilDate d;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  return d;
}

int64_t DayOfNanos(int64_t ns) { return FloorDiv(ns, kNanosPerDay); }

Result<int64_t> ParseTimestampString(std::string_view text) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) return Invalid(text, "empty");
  // A date always has '-' after 4 digits; anything else that starts like a number is one.
  bool date_like = s.size() >= 5 && IsDigit(s[0]) && s[4] == '-';
  if (!date_like) return ParseEpochText(s);
  return ParseRfc3339(s);
}

int64_t EpochNumberToNs(int64_t v) {
  // Compare on the negative side so INT64_MIN needs no absolute value.
  int64_t neg = v < 0 ? v : -v;
  int64_t unit = neg > -100'000'000'000LL           ? kNanosPerSecond
                 : neg > -100'000'000'000'000LL     ? 1'000'000
                 : neg > -100'000'000'000'000'000LL ? 1'000
                                                    : 1;
  int64_t ns;
  if (__builtin_mul_overflow(v, unit, &ns)) return Saturate(v < 0);
  return ns;
}

int64_t EpochNumberToNs(double v) {
  if (std::isnan(v)) return 0;
  double a = std::fabs(v);
  if (a >= 9.2e18) return Saturate(v < 0);  // beyond every unit's int64 range
  int64_t unit = a < 1e11 ? kNanosPerSecond : a < 1e14 ? 1'000'000 : a < 1e17 ? 1'000 : 1;
  double whole = std::trunc(v);
  double frac = v - whole;
  // Round the fraction to what the double can honestly carry (see the header).
  int64_t frac_ns = unit >= 1'000'000 ? std::llround(frac * static_cast<double>(unit / 1000)) * 1000
                                      : std::llround(frac * static_cast<double>(unit));
  int64_t ns;
  if (__builtin_mul_overflow(static_cast<int64_t>(whole), unit, &ns) ||
      __builtin_add_overflow(ns, frac_ns, &ns))
    return Saturate(v < 0);
  return ns;
}

std::string FormatIsoMillis(int64_t ns) {
  int64_t day = DayOfNanos(ns);
  int64_t in_day = FloorMod(ns, kNanosPerDay);
  int64_t ms = in_day / 1'000'000;
  std::string out = DayString(day);
  char buf[14];
  buf[0] = 'T';
  WriteDigits(buf + 1, ms / 3'600'000, 2);
  buf[3] = ':';
  WriteDigits(buf + 4, ms / 60'000 % 60, 2);
  buf[6] = ':';
  WriteDigits(buf + 7, ms / 1000 % 60, 2);
  buf[9] = '.';
  WriteDigits(buf + 10, ms % 1000, 3);
  buf[13] = 'Z';
  out.append(buf, sizeof buf);
  return out;
}

std::string FormatDay(int64_t ns) { return DayString(DayOfNanos(ns)); }

}  // namespace vigil
