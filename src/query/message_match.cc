// `@message like "text"` without rendering every JSON event (SelectMessageLiteral in
// match.h).
//
// A JSON event's @message is its fields rendered as compact JSON (core/json_render.cc):
// keys and values as JSON tokens joined by `{ } [ ] : ,` and quotes. If the text
// qualifies (MatchesOnlyInsideStrings in core/json_render.h), a match in the rendering
// lies inside one key or one string value. So a row matches iff one of its
// rendered String values contains the text -- the raw value does, or its escaped form
// does when it has bytes JSON escapes -- or a key does; the rare rows whose key might
// contain the text are rendered and searched as before. Plain-text lines (a stored
// @message) are searched directly.
#include <cstring>

#include "core/batch.h"
#include "core/json_render.h"
#include "core/string_search.h"
#include "query/match.h"

namespace vigil::query {
namespace {

bool Contains(std::string_view s, std::string_view needle) {
  return FindSubstring(s.data(), s.data() + s.size(), needle) != nullptr;
}

bool StringMatches(std::string_view value, std::string_view lit, std::string* buf) {
  if (Contains(value, lit)) return true;
  if (!NeedsJsonEscape(value)) return false;
  buf->clear();
  AppendJsonString(value, buf);
  return Contains(*buf, lit);
}

}  // namespace

bool SelectMessageLiteral(const Frame& frame, std::string_view lit, const Sel& in, Sel* out) {
  if (!MatchesOnlyInsideStrings(lit)) return false;
  const Batch& raw = frame.raw;
  const Column* stored = raw.Find(field::kMessage, Type::kString);
  // 0: undecided, 1: match, 2: render to decide
  std::vector<uint8_t> state(frame.rows(), 0);
  std::string buf;
  for (const Column& c : raw.columns) {
    if (IsVigilField(c.name)) continue;
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
