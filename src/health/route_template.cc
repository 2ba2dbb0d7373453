#include "health/route_template.h"

#include <algorithm>

namespace vigil::health {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsTokenChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == '-'; }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

size_t CountDigits(std::string_view s) { return std::count_if(s.begin(), s.end(), IsDigit); }

// 8-4-4-4-12 hex digits, optionally in braces.
bool IsUuid(std::string_view s) {
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsHexRun(std::string_view s) { return s.size() >= 8 && AllOf(s, IsHex) && CountDigits(s) > 0; }

// Base64-ish API tokens and prefixed ids ("cus_NffrFeUfNV2Hib"): long, and mixing cases and
// digits the way words never do.
bool IsRandomToken(std::string_view s) {
  if (s.size() < 16 || !AllOf(s, IsTokenChar)) return false;
  return std::any_of(s.begin(), s.end(), IsUpper) && std::any_of(s.begin(), s.end(), IsLower) &&
         CountDigits(s) > 0;
}

// "2024-01-15", "10.0.0.1", "2024-000123": digits and separators only.
bool IsNumberish(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c) && c != '-' && c != '_' && c != '.' && c != ':' && c != '+') return false;
  }
  return CountDigits(s) >= 4;
}

// "case_12345", "inv-0042": a word, a separator, then only digits (3 or more).
bool IsPrefixedNumber(std::string_view s) {
  size_t sep = s.find_last_of("_-");
  if (sep == std::string_view::npos || sep == 0) return false;
  std::string_view tail = s.substr(sep + 1);
  return tail.size() >= 3 && AllOf(tail, IsDigit);
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && s.find('.', at) != std::string_view::npos;
}

// Strips "scheme://authority" from a full URL.
std::string_view PathOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || url.substr(0, scheme).find('/') != std::string_view::npos) {
    return url;
  }
  std::string_view rest = url.substr(scheme + 3);
  size_t slash = rest.find_first_of("/?#");
  if (slash == std::string_view::npos) return "/";
  return rest.substr(slash);
}

std::string TemplateSegment(std::string_view seg) {
  if (IsIdSegment(seg)) return "{id}";
  size_t dot = seg.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    std::string_view ext = seg.substr(dot + 1);
    if (!ext.empty() && ext.size() <= 5 && AllOf(ext, IsAlpha) && IsIdSegment(seg.substr(0, dot))) {
      return "{id}." + std::string(ext);
    }
  }
  return std::string(seg);
}

}  // namespace

bool IsIdSegment(std::string_view s) {
  if (s.empty()) return false;
  return AllOf(s, IsDigit) || IsUuid(s) || IsHexRun(s) || IsRandomToken(s) || IsEmail(s) ||
         IsNumberish(s) || IsPrefixedNumber(s);
}

std::string RouteTemplate(std::string_view url) {
  std::string_view path = PathOf(url);
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  if (path.empty()) return "/";
  std::string out;
  out.reserve(path.size());
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    out += TemplateSegment(seg);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8080
    size_t close = rest.find(']');
    return std::string(rest.substr(0, close == std::string_view::npos ? rest.size() : close + 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

}  // namespace vigil::health
