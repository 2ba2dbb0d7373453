// String functions. Lengths and positions count characters (UTF-8 code points); case
// mapping is ASCII only. A non-string argument where a string is expected gives null.
#include <algorithm>

#include "query/fn_kernels.h"
#include "query/fn_util.h"

namespace vigil::query {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuation(c); }));
}

// Byte offset of code point `n` in `s` (s.size() when past the end).
size_t ByteOffset(std::string_view s, int64_t n) {
  size_t i = 0;
  for (int64_t seen = 0; i < s.size(); ++i) {
    if (IsContinuation(s[i])) continue;
    if (seen++ == n) return i;
  }
  return s.size();
}

template <typename F>
Vector MapString(Evaluator& ev, const Expr& call, const Sel& sel, F&& f) {
  std::string buf;
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type != Type::kString) return;
    buf.clear();
    if (f(a, &buf)) out.PutString(row, buf);
  });
}

std::string_view TrimSet(const std::vector<Cell>& a) {
  if (a.size() > 1 && a[1].type == Type::kString) return a[1].s;
  return " \t\r\n\f\v";
}

Vector Trim(Evaluator& ev, const Expr& call, const Sel& sel, bool left, bool right) {
  return MapString(ev, call, sel, [&](const std::vector<Cell>& a, std::string* out) {
    std::string_view s = a[0].s;
    const std::string_view set = TrimSet(a);
    if (left) s.remove_prefix(std::min(s.size(), s.find_first_not_of(set)));
    if (right) {
      const size_t last = s.find_last_not_of(set);
      s = last == std::string_view::npos ? std::string_view() : s.substr(0, last + 1);
    }
    out->assign(s);
    return true;
  });
}

Vector MapCase(Evaluator& ev, const Expr& call, const Sel& sel, bool upper) {
  return MapString(ev, call, sel, [&](const std::vector<Cell>& a, std::string* out) {
    out->assign(a[0].s);
    for (char& c : *out) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return true;
  });
}

}  // namespace

// concat(a, b, ...): the arguments' text joined; missing ones are skipped (null when
// all are missing).
Vector FnConcat(Evaluator& ev, const Expr& call, const Sel& sel) {
  std::string buf;
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    buf.clear();
    bool any = false;
    for (const Cell& c : a) {
      any = any || c.type != Type::kNull;
      AppendText(c, &buf);
    }
    if (any) out.PutString(row, buf);
  });
}

Vector FnStrlen(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type == Type::kString) out.PutInt(row, static_cast<int64_t>(CodePoints(a[0].s)));
  });
}

Vector FnToUpper(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapCase(ev, call, sel, true);
}
Vector FnToLower(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapCase(ev, call, sel, false);
}
Vector FnTrim(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Trim(ev, call, sel, true, true);
}
Vector FnLtrim(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Trim(ev, call, sel, true, false);
}
Vector FnRtrim(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Trim(ev, call, sel, false, true);
}

// substr(s, start [, length]): from character `start` (0-based; negative counts from
// the end), `length` characters or to the end.
Vector FnSubstr(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapString(ev, call, sel, [](const std::vector<Cell>& a, std::string* out) {
    if (a[1].type != Type::kInt || (a.size() > 2 && a[2].type != Type::kInt)) return false;
    const std::string_view s = a[0].s;
    int64_t start = a[1].i;
    if (start < 0) start = std::max<int64_t>(0, static_cast<int64_t>(CodePoints(s)) + start);
    const size_t begin = ByteOffset(s, start);
    size_t end = s.size();
    if (a.size() > 2) {
      if (a[2].i < 0) return false;
      end = begin + ByteOffset(s.substr(begin), a[2].i);
    }
    out->assign(s.substr(begin, end - begin));
    return true;
  });
}

// replace(s, search, replacement): every occurrence of `search` (literal text).
Vector FnReplace(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapString(ev, call, sel, [](const std::vector<Cell>& a, std::string* out) {
    if (a[1].type != Type::kString || a[2].type != Type::kString) return false;
    const std::string_view s = a[0].s, from = a[1].s, to = a[2].s;
    if (from.empty()) {
      out->assign(s);
      return true;
    }
    size_t i = 0;
    for (size_t hit; (hit = s.find(from, i)) != std::string_view::npos; i = hit + from.size()) {
      out->append(s.substr(i, hit - i)).append(to);
    }
    out->append(s.substr(i));
    return true;
  });
}

Vector FnStrContains(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type != Type::kString || a[1].type != Type::kString) return;
    out.PutBool(row, a[0].s.find(a[1].s) != std::string_view::npos);
  });
}

}  // namespace vigil::query
