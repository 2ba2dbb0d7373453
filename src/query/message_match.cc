// `@message like "text"` without rendering every JSON event (SelectMessageLiteral in
// match.h).
//
// A JSON event's @message is its fields rendered as compact JSON (core/json_render.cc):
// keys and values as JSON tokens joined by `{ } [ ] : ,` and quotes. If the text has none
// of those characters nor `\`, `.` or control bytes, and has a character that no
// number, true, false or null can contain (a space, a capital, ...), then a match in the
// rendering lies inside one key or one string value. So a row matches iff one of its
// rendered String values contains the text -- the raw value does, or its escaped form
// does when it has bytes JSON escapes -- or a key does; the rare rows whose key might
// contain the text are rendered and searched as before. Plain-text lines (a stored
// @message) are searched directly.
#include <cstring>

#include "core/batch.h"
#include "core/json_render.h"
#include "query/match.h"

namespace vigil::query {
namespace {

bool Contains(std::string_view s, std::string_view needle) {
  return memmem(s.data(), s.size(), needle.data(), needle.size()) != nullptr;
}

bool Qualifies(std::string_view lit) {
  if (lit.empty()) return false;
  bool outside_tokens = false;
  for (char ch : lit) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || std::strchr("\"\\{}[]:,.", ch) != nullptr) return false;
    if (std::strchr("0123456789eE+-truefalsn", ch) == nullptr) outside_tokens = true;
  }
  return outside_tokens;
}

// Fields json_render leaves out of @message: Vigil's own (`@x`, but not `@@x`).
bool IsVigilName(std::string_view name) {
  return !name.empty() && name[0] == '@' && (name.size() < 2 || name[1] != '@');
}

bool NeedsEscape(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || ch == '"' || ch == '\\') return true;
  }
  return false;
}

bool StringMatches(std::string_view value, std::string_view lit, std::string* buf) {
  if (Contains(value, lit)) return true;
  if (!NeedsEscape(value)) return false;
  buf->clear();
  AppendJsonString(value, buf);
  return Contains(*buf, lit);
}

}  // namespace

bool SelectMessageLiteral(const Frame& frame, std::string_view lit, const Sel& in, Sel* out) {
  if (!Qualifies(lit)) return false;
  const Batch& raw = frame.raw;
  const Column* stored = raw.Find(field::kMessage, Type::kString);
  // 0: undecided, 1: match, 2: render to decide
  std::vector<uint8_t> state(frame.rows(), 0);
  std::string buf;
  for (const Column& c : raw.columns) {
    if (IsVigilName(c.name)) continue;
    buf.clear();
    AppendJsonString(c.name, &buf);
    const bool key_may_match = Contains(buf, lit);
    for (uint32_t row : in) {
      if (state[row] == 1 || !c.valid[row] || (stored != nullptr && stored->valid[row])) continue;
      if (key_may_match) {
        state[row] = 2;
      } else if (c.type == Type::kString && StringMatches(c.strs[row], lit, &buf)) {
        state[row] = 1;
      }
    }
  }
  out->clear();
  std::string json;
  for (uint32_t row : in) {
    bool match = state[row] == 1;
    if (stored != nullptr && stored->valid[row]) {
      match = Contains(stored->strs[row], lit);
    } else if (state[row] == 2) {
      json.clear();
      RenderRowJson(raw, row, &json);
      match = Contains(json, lit);
    }
    if (match) out->push_back(row);
  }
  return true;
}

}  // namespace vigil::query
