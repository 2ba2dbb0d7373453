#include "pipeline/message_template.h"

#include <algorithm>
#include <vector>

namespace vigil {

namespace {

constexpr size_t kMaxTemplateBytes = 1024;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Characters that end a token (and are copied as they are).
bool IsDelimiter(char c) {
  switch (c) {
    case '(': case ')': case '[': case ']': case '{': case '}': case '<': case '>':
    case ',': case ';': case '=': case '/': case '?': case '&': case '#': case '|':
    case '"': case '\'': case '`':
      return true;
    default:
      return IsSpace(c);
  }
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// 8-4-4-4-12 hex digits.
bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !IsHex(t[i])) return false;
  }
  return true;
}

// 0x1f, long hex runs (12+ hex digits, whatever they hold), and 8+ hex digits that mix
// letters and digits. Shorter all-digit runs are numbers.
bool IsHexId(std::string_view t) {
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && AllOf(t.substr(2), IsHex)) {
    return true;
  }
  if (!AllOf(t, IsHex)) return false;
  if (t.size() >= 12) return true;
  const bool digit = std::any_of(t.begin(), t.end(), IsDigit);
  const bool letter = std::any_of(t.begin(), t.end(), [](char c) { return !IsDigit(c); });
  return t.size() >= 8 && digit && letter;
}

bool IsEmail(std::string_view t) {
  size_t at = t.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= t.size()) return false;
  std::string_view domain = t.substr(at + 1);
  size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         domain.find('@') == std::string_view::npos;
}

// Digits (1..max) at t[*i]; advances *i.
bool Digits(std::string_view t, size_t* i, size_t min, size_t max) {
  size_t n = 0;
  while (*i < t.size() && IsDigit(t[*i]) && n < max) ++*i, ++n;
  return n >= min;
}

bool IsIpv4(std::string_view t) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (i >= t.size() || t[i++] != '.')) return false;
    if (!Digits(t, &i, 1, 3)) return false;
  }
  if (i < t.size() && t[i] == ':') {  // port
    ++i;
    if (!Digits(t, &i, 1, 5)) return false;
  }
  return i == t.size();
}

bool IsIpv6(std::string_view t) {
  size_t colons = 0;
  bool hex = false;
  for (char c : t) {
    if (c == ':') {
      ++colons;
    } else if (IsHex(c)) {
      hex = true;
    } else if (c != '.') {
      return false;
    }
  }
  return colons >= 2 && hex && t.size() >= 3;
}

// 2026-01-31, 2026-01-31T10:00:00.123Z, 2026-01-31 10:00, 10:00:00.5, 10:00 (a time
// needs two digits each side of the colon).
bool IsTime(std::string_view t) {
  size_t i = 0;
  auto clock = [&]() {
    if (!Digits(t, &i, 2, 2) || i >= t.size() || t[i] != ':') return false;
    ++i;
    if (!Digits(t, &i, 2, 2)) return false;
    if (i < t.size() && t[i] == ':') {
      ++i;
      if (!Digits(t, &i, 2, 2)) return false;
      if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
        ++i;
        if (!Digits(t, &i, 1, 9)) return false;
      }
    }
    return true;
  };
  size_t save = i;
  if (Digits(t, &i, 4, 4) && i < t.size() && t[i] == '-') {
    ++i;
    if (!Digits(t, &i, 2, 2) || i >= t.size() || t[i] != '-') return false;
    ++i;
    if (!Digits(t, &i, 2, 2)) return false;
    if (i < t.size() && (t[i] == 'T' || t[i] == '_')) {
      ++i;
      if (!clock()) return false;
    }
  } else {
    i = save;
    if (!clock()) return false;
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) ++i;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    ++i;
    if (!Digits(t, &i, 2, 2)) return false;
    if (i < t.size() && t[i] == ':') ++i;
    if (!Digits(t, &i, 2, 2)) return false;
  }
  return i == t.size();
}

// 12ms, 1.5s, 30sec, 5min, 2h, 100us, 250ns, 3d.
bool IsDuration(std::string_view t) {
  size_t i = 0;
  if (!Digits(t, &i, 1, 20)) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!Digits(t, &i, 1, 20)) return false;
  }
  std::string_view unit = t.substr(i);
  for (std::string_view u : {"ns", "us", "\xC2\xB5s", "ms", "s", "sec", "secs", "seconds", "m", "min",
                             "mins", "minutes", "h", "hr", "hrs", "hours", "d", "days"}) {
    if (unit == u) return true;
  }
  return false;
}

// A number inside a token: [-]digits[.digits]. Copies `t` with every number replaced,
// except a run of at most 3 digits glued to letters before it and not followed by more
// word characters' digits (s3, ec2, utf8, sha256, http2): those name things.
void TemplateDigits(std::string_view t, std::string* out) {
  size_t i = 0;
  while (i < t.size()) {
    const bool sign = t[i] == '-' && i == 0 && i + 1 < t.size() && IsDigit(t[i + 1]);
    if (IsDigit(t[i]) && i > 0 && IsAlpha(t[i - 1])) {
      size_t end = i;
      while (end < t.size() && IsDigit(t[end])) ++end;
      if (end - i <= 3 && (end == t.size() || !IsAlnum(t[end]) || IsAlpha(t[end]))) {
        out->append(t.substr(i, end - i));
        i = end;
        continue;
      }
    }
    if (IsDigit(t[i]) || sign) {
      i += sign ? 1 : 0;
      while (i < t.size() && IsDigit(t[i])) ++i;
      if (i + 1 < t.size() && t[i] == '.' && IsDigit(t[i + 1])) {
        ++i;
        while (i < t.size() && IsDigit(t[i])) ++i;
      }
      out->append("{n}");
    } else {
      out->push_back(t[i++]);
    }
  }
}

void TemplateToken(std::string_view t, std::string* out);

// scheme://host[:port] kept; path segments templated as tokens (ids become {id});
// query values dropped (keys kept); the fragment dropped.
void TemplateUrl(std::string_view url, std::string* out) {
  size_t scheme_end = url.find("://");
  size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  out->append(url.substr(0, host_end));
  if (host_end == std::string_view::npos) return;
  std::string_view rest = url.substr(host_end);
  rest = rest.substr(0, rest.find('#'));
  const size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == start) {
      out->push_back('/');
      ++start;
      continue;
    }
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    const bool version = seg.size() <= 3 && seg[0] == 'v' && AllOf(seg.substr(1), IsDigit);
    if (version) {
      out->append(seg);  // /v1/ names an API, not a record
    } else if (AllOf(seg, IsDigit) || IsUuid(seg) || IsHexId(seg)) {
      out->append("{id}");
    } else {
      TemplateToken(seg, out);
    }
    start += seg.size();
  }
  if (q == std::string_view::npos) return;
  std::string_view query = rest.substr(q + 1);
  out->push_back('?');
  bool first = true;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out->push_back('&');
    first = false;
    out->append(pair.substr(0, pair.find('='))).append("={v}");
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

void TemplateToken(std::string_view t, std::string* out) {
  // Trailing sentence punctuation is not part of the value ("id 42." / "at 10:00:").
  size_t end = t.size();
  while (end > 0 && (t[end - 1] == '.' || t[end - 1] == ':' || t[end - 1] == '!')) --end;
  std::string_view core = t.substr(0, end), tail = t.substr(end);
  if (core.empty()) {
    out->append(t);
    return;
  }
  if (IsUuid(core)) {
    out->append("{uuid}");
  } else if (IsEmail(core)) {
    out->append("{email}");
  } else if (IsIpv4(core) || IsIpv6(core)) {
    out->append("{ip}");
  } else if (IsTime(core)) {
    out->append("{ts}");
  } else if (IsDuration(core)) {
    out->append("{duration}");
  } else if (IsHexId(core)) {
    out->append("{hex}");
  } else {
    TemplateDigits(core, out);
  }
  out->append(tail);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The closing quote of a literal opened at `open`, or npos. A quote only opens a literal
// at the start of a word (so the apostrophe of "don't" does not), and the literal ends
// at the same quote character followed by a non-word character, on the same line.
size_t ClosingQuote(std::string_view s, size_t open) {
  const char q = s[open];
  if (open > 0 && IsAlnum(s[open - 1])) return std::string_view::npos;
  for (size_t i = open + 1; i < s.size() && i < open + 4096; ++i) {
    if (s[i] == '\n') return std::string_view::npos;
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == q && (i + 1 == s.size() || !IsAlnum(s[i + 1]))) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::string MessageTemplate(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxTemplateBytes) + 16);
  size_t i = 0;
  while (i < s.size() && out.size() < kMaxTemplateBytes) {
    const char c = s[i];
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      while (i < s.size() && IsSpace(s[i])) ++i;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      size_t close = ClosingQuote(s, i);
      if (close != std::string_view::npos) {
        out.push_back(c);
        out.append("{s}");
        out.push_back(c);
        i = close + 1;
        continue;
      }
    }
    if (IsDelimiter(c)) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && !IsDelimiter(s[end])) ++end;
    std::string_view token = s.substr(i, end - i);
    if (StartsWith(s.substr(i), "http://") || StartsWith(s.substr(i), "https://")) {
      // URLs run through '/', '?', '&', '=' and '#'.
      end = i;
      while (end < s.size() && !IsSpace(s[end]) && s[end] != '"' && s[end] != '\'' &&
             s[end] != '<' && s[end] != '>')
        ++end;
      TemplateUrl(s.substr(i, end - i), &out);
    } else {
      TemplateToken(token, &out);
    }
    i = end;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMaxTemplateBytes) out.resize(kMaxTemplateBytes);
  return out;
}

bool HasPythonTraceback(std::string_view text) {
  return text.find("Traceback (most recent call last):") != std::string_view::npos;
}

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsLibraryPath(std::string_view path) {
  for (std::string_view marker : {"site-packages/", "dist-packages/", "/lib/python", "node_modules/",
                                  "<frozen ", "/usr/lib/", "/usr/local/lib/"}) {
    if (path.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// The last two components of a path: stable across install prefixes (/app vs /srv/app)
// yet telling apart files of the same name in different packages.
std::string_view ShortPath(std::string_view path) {
  size_t last = path.find_last_of("/\\");
  if (last == std::string_view::npos || last == 0) return path;
  size_t prev = path.find_last_of("/\\", last - 1);
  return prev == std::string_view::npos ? path : path.substr(prev + 1);
}

struct Frame {
  std::string where;  // "pkg/file.py:function"
  bool library = false;
};

// `File "/app/views.py", line 42, in case_detail`
bool PythonFrame(std::string_view line, Frame* f) {
  line = Trim(line);
  if (!StartsWith(line, "File \"")) return false;
  size_t close = line.find('"', 6);
  if (close == std::string_view::npos) return false;
  std::string_view path = line.substr(6, close - 6);
  size_t in = line.find(", in ", close);
  std::string_view fn = in == std::string_view::npos ? "" : Trim(line.substr(in + 5));
  f->where = std::string(ShortPath(path)) + ":" + std::string(fn);
  f->library = IsLibraryPath(path);
  return true;
}

// `at handler (/app/src/x.js:10:5)`, `at com.acme.Bar.baz(Bar.java:42)`
bool AtFrame(std::string_view line, Frame* f) {
  line = Trim(line);
  if (!StartsWith(line, "at ")) return false;
  line.remove_prefix(3);
  size_t paren = line.find('(');
  std::string_view fn = Trim(line.substr(0, paren));
  std::string_view loc = paren == std::string_view::npos ? line : line.substr(paren + 1);
  if (!loc.empty() && loc.back() == ')') loc.remove_suffix(1);
  // Drop :line[:col].
  for (int k = 0; k < 2; ++k) {
    size_t colon = loc.find_last_of(':');
    if (colon != std::string_view::npos && AllOf(loc.substr(colon + 1), IsDigit)) loc = loc.substr(0, colon);
  }
  f->where = std::string(ShortPath(loc)) + ":" + std::string(fn);
  f->library = IsLibraryPath(loc) || StartsWith(fn, "java.") || StartsWith(fn, "javax.") ||
               StartsWith(fn, "sun.") || StartsWith(fn, "jdk.") || StartsWith(fn, "node:");
  return true;
}

// "pkg.module.ValueError: message" -> "pkg.module.ValueError"; "" when the line does not
// look like an exception line.
std::string_view ExceptionType(std::string_view line) {
  line = Trim(line);
  size_t colon = line.find(':');
  std::string_view type = colon == std::string_view::npos ? line : line.substr(0, colon);
  if (type.empty() || type.size() > 200) return {};
  for (char c : type)
    if (!IsAlnum(c) && c != '.' && c != '$') return {};
  return type;
}

}  // namespace

std::string StackSignature(std::string_view text) {
  std::vector<std::string_view> lines = Lines(text);
  std::vector<Frame> frames;
  std::string_view type;
  const bool python = HasPythonTraceback(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    Frame f;
    if (PythonFrame(lines[i], &f) || AtFrame(lines[i], &f)) {
      frames.push_back(std::move(f));
    } else if (python && !lines[i].empty() && !IsSpace(lines[i][0]) &&
               !StartsWith(lines[i], "Traceback ") && !StartsWith(lines[i], "During handling") &&
               !StartsWith(lines[i], "The above exception")) {
      // Python names the exception after the frames; chained tracebacks: the last wins.
      if (std::string_view t = ExceptionType(lines[i]); !t.empty()) type = t;
    } else if (!python && type.empty() && frames.empty()) {
      type = ExceptionType(lines[i]);  // JS/Java name it first
    }
  }
  if (frames.empty()) return {};
  const bool any_app = std::any_of(frames.begin(), frames.end(), [](const Frame& f) { return !f.library; });
  std::string out(type.empty() ? "Error" : type);
  for (const Frame& f : frames) {
    if (any_app && f.library) continue;
    out.append(" < ").append(f.where);
  }
  return out;
}

}  // namespace vigil
