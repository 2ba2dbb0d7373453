#include "cron/cron_expr.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <vector>

namespace vigil::cron {

namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] is value min + i; nullptr: numbers only
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};

// Day of week accepts 7 (Sunday) as well as 0; it is folded onto 0 after parsing.
constexpr std::array<FieldSpec, 5> kFields = {{{"minute", 0, 59, nullptr},
                                               {"hour", 0, 23, nullptr},
                                               {"day-of-month", 1, 31, nullptr},
                                               {"month", 1, 12, kMonthNames},
                                               {"day-of-week", 0, 7, kDayNames}}};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Status FieldError(const FieldSpec& f, std::string_view item, std::string_view what) {
  return Status::InvalidArgument("cron " + std::string(f.name) + " field '" + std::string(item) +
                                 "': " + std::string(what));
}

Result<int> ParseValue(const FieldSpec& f, std::string_view s, std::string_view item) {
  if (f.names != nullptr && s.size() == 3) {
    const std::string u = Upper(s);
    for (int i = 0; i <= f.max - f.min; ++i)
      if (u == f.names[i]) return f.min + i;
  }
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return FieldError(f, item, "'" + std::string(s) + "' is not a number" +
                                   (f.names != nullptr ? " or a name" : ""));
  }
  if (v < f.min || v > f.max) {
    return FieldError(f, item, std::to_string(v) + " is outside " + std::to_string(f.min) + "-" +
                                   std::to_string(f.max));
  }
  return v;
}

// One comma-separated item: *, N, N-M, each optionally /STEP; N/STEP runs to the max.
Status ParseItem(const FieldSpec& f, std::string_view item, std::vector<bool>* bits) {
  std::string_view range = item;
  int step = 1;
  const bool has_step = item.find('/') != std::string_view::npos;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    std::string_view s = item.substr(slash + 1);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || step < 1) {
      return FieldError(f, item, "the step must be a positive number");
    }
  }
  int lo = f.min, hi = f.max;
  if (range != "*") {
    size_t dash = range.find('-');
    ASSIGN_OR_RETURN(lo, ParseValue(f, range.substr(0, dash), item));
    if (dash != std::string_view::npos) {
      ASSIGN_OR_RETURN(hi, ParseValue(f, range.substr(dash + 1), item));
      if (hi < lo) return FieldError(f, item, "the range runs backwards");
    } else if (!has_step) {
      hi = lo;
    }
  }
  for (int v = lo; v <= hi; v += step) (*bits)[static_cast<size_t>(v)] = true;
  return Status::OK();
}

Result<std::vector<bool>> ParseField(const FieldSpec& f, std::string_view text) {
  std::vector<bool> bits(static_cast<size_t>(f.max) + 1, false);
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    if (item.empty()) return FieldError(f, text, "empty list item");
    RETURN_IF_ERROR(ParseItem(f, item, &bits));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return bits;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view ExpandMacro(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, expansion] : kMacros)
    if (word == name) return expansion;
  return {};
}

template <size_t N>
void CopyBits(const std::vector<bool>& from, std::bitset<N>* to) {
  for (size_t i = 0; i < N && i < from.size(); ++i) (*to)[i] = from[i];
}

int64_t ToNs(const cctz::time_point<cctz::seconds>& tp) {
  return static_cast<int64_t>(tp.time_since_epoch().count()) * 1'000'000'000;
}

}  // namespace

Result<cctz::time_zone> LoadZone(std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return cctz::utc_time_zone();
  cctz::time_zone tz;
  if (!cctz::load_time_zone(std::string(name), &tz)) {
    return Status::InvalidArgument("unknown time zone '" + std::string(name) +
                                   "' (expected an IANA name such as Europe/Berlin)");
  }
  return tz;
}

Result<CronExpr> CronExpr::Parse(std::string_view text, std::string_view tz) {
  std::vector<std::string_view> words = SplitSpaces(text);
  std::string zone_name(tz.empty() ? "UTC" : tz);
  if (!words.empty() && (words[0].starts_with("CRON_TZ=") || words[0].starts_with("TZ="))) {
    zone_name = std::string(words[0].substr(words[0].find('=') + 1));
    words.erase(words.begin());
  }
  CronExpr e;
  ASSIGN_OR_RETURN(e.zone_, LoadZone(zone_name));
  e.zone_name_ = zone_name;
  if (words.size() == 1 && words[0].starts_with("@")) {
    std::string_view expansion = ExpandMacro(words[0]);
    if (expansion.empty()) {
      return Status::InvalidArgument("unknown cron macro '" + std::string(words[0]) +
                                     "' (expected @yearly, @monthly, @weekly, @daily or @hourly)");
    }
    words = SplitSpaces(expansion);
  }
  if (words.size() != 5) {
    return Status::InvalidArgument("a cron expression has 5 fields (minute hour day-of-month month "
                                   "day-of-week), got " + std::to_string(words.size()) + " in '" +
                                   std::string(text) + "'");
  }
  std::array<std::vector<bool>, 5> bits;
  for (size_t i = 0; i < 5; ++i) {
    ASSIGN_OR_RETURN(bits[i], ParseField(kFields[i], words[i]));
  }
  CopyBits(bits[0], &e.minutes_);
  CopyBits(bits[1], &e.hours_);
  CopyBits(bits[2], &e.days_);
  CopyBits(bits[3], &e.months_);
  CopyBits(bits[4], &e.weekdays_);
  if (bits[4][7]) e.weekdays_[0] = true;
  e.dom_star_ = words[2].starts_with("*");
  e.dow_star_ = words[4].starts_with("*");
  e.text_ = std::string(text);
  return e;
}

bool CronExpr::DayMatches(const cctz::civil_day& d) const {
  const bool dom = days_[static_cast<size_t>(d.day())];
  // cctz numbers weekdays from Monday = 0; cron from Sunday = 0.
  const int wd = (static_cast<int>(cctz::get_weekday(d)) + 1) % 7;
  const bool dow = weekdays_[static_cast<size_t>(wd)];
  if (!dom_star_ && !dow_star_) return dom || dow;
  return dom && dow;
}

bool CronExpr::Matches(const cctz::civil_minute& m) const {
  return months_[static_cast<size_t>(m.month())] && DayMatches(cctz::civil_day(m)) &&
         hours_[static_cast<size_t>(m.hour())] && minutes_[static_cast<size_t>(m.minute())];
}

std::optional<int64_t> CronExpr::Next(int64_t after_ns) const {
  const auto after = cctz::time_point<cctz::seconds>(cctz::seconds(
      after_ns >= 0 ? after_ns / 1'000'000'000 : (after_ns - 999'999'999) / 1'000'000'000));
  std::optional<int64_t> next = WalkCivil(after, after_ns);
  if (!hours_.all()) return next;
  // A schedule for every hour runs in both passes of a repeated hour (clocks going back):
  // from inside the first pass, the second pass comes before what the walk found.
  const cctz::time_zone::civil_lookup cl = zone_.lookup(cctz::convert(after, zone_));
  if (cl.kind != cctz::time_zone::civil_lookup::REPEATED || after >= cl.trans) return next;
  for (cctz::civil_minute m(cctz::convert(cl.trans, zone_));
       zone_.lookup(cctz::civil_second(m)).kind == cctz::time_zone::civil_lookup::REPEATED; ++m) {
    const int64_t ns = ToNs(zone_.lookup(cctz::civil_second(m)).post);
    if (ns > after_ns && Matches(m)) return next ? std::min(*next, ns) : ns;
  }
  return next;
}

std::optional<int64_t> CronExpr::WalkCivil(const cctz::time_point<cctz::seconds>& after, int64_t after_ns) const {
  cctz::civil_minute m = cctz::civil_minute(cctz::convert(after, zone_)) + 1;
  // Five years of months is enough for every satisfiable expression (Feb 29 included).
  const cctz::civil_minute limit = m + 60 * 24 * 366 * 5;
  while (m < limit) {
    if (!months_[static_cast<size_t>(m.month())]) {
      m = cctz::civil_minute(cctz::civil_month(m) + 1);
      continue;
    }
    if (!DayMatches(cctz::civil_day(m))) {
      m = cctz::civil_minute(cctz::civil_day(m) + 1);
      continue;
    }
    if (!hours_[static_cast<size_t>(m.hour())]) {
      m = cctz::civil_minute(cctz::civil_hour(m) + 1);
      continue;
    }
    if (!minutes_[static_cast<size_t>(m.minute())]) {
      m += 1;
      continue;
    }
    const cctz::time_zone::civil_lookup cl = zone_.lookup(cctz::civil_second(m));
    // SKIPPED: the wall time does not exist, fire at the transition. REPEATED: the first
    // occurrence, or for an every-hour schedule the second one when the first has passed.
    int64_t ns = ToNs(cl.kind == cctz::time_zone::civil_lookup::SKIPPED ? cl.trans : cl.pre);
    if (ns <= after_ns && cl.kind == cctz::time_zone::civil_lookup::REPEATED && hours_.all()) ns = ToNs(cl.post);
    if (ns > after_ns) return ns;
    m += 1;
  }
  return std::nullopt;
}

}  // namespace vigil::cron
