// Renders events back to JSON: the `@message` of a JSON event, query results, exports.
//
// How a JSON event is stored (written by ingest/json_lines.cc, read back here):
//   - nested objects are flattened to dotted names: {"http":{"status":500}} is the Int
//     column "http.status";
//   - an array is stored as its minified JSON text in a String column whose name is the
//     key plus the suffix "[]": {"tags":["a","b"]} is the String column `tags[]` holding
//     ["a","b"]. The suffix keeps an array apart from a string that merely looks like
//     one (a message "[1,2]" stays a string) at the cost of a name that queries have to
//     spell with its brackets;
//   - user keys that begin with '@' get one more '@' ("@foo" is stored as "@@foo"),
//     because names with a single leading '@' belong to Vigil (@timestamp, @level...).
//
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/batch.h"

namespace vigil {

// Suffix of the name of a column that stores JSON array text (see above).
inline constexpr std::string_view kArraySuffix = "[]";

// Appends `s` as a JSON string literal (with quotes) to *out. Escapes '"', '\\' and
// control characters; valid UTF-8 is copied as is and each byte of an invalid UTF-8
// sequence becomes U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);

// Whether `name` is one of Vigil's own fields (exactly one leading '@'), which a rendered
// event leaves out.
bool IsVigilField(std::string_view name);

// Searching a rendered JSON event (`@message like "text"`) without rendering it:
//
// Whether every occurrence of `text` in a rendered event lies inside one key or one
// string value: `text` has none of `" \ { } [ ] : , .` nor control or non-ASCII bytes,
// and a character that no number, true, false or null contains (a space, a capital...).
bool MatchesOnlyInsideStrings(std::string_view text);
// Whether AppendJsonString changes `s` (it has '"', '\' or control bytes).
bool NeedsJsonEscape(std::string_view s);
// Whether a match of `text` can begin inside an escape sequence (`\n`, `\u001f`): it
// starts with a character that follows a backslash there. When it cannot, a string value
// renders to a match exactly when the value itself contains `text`.
bool MayMatchInsideEscapes(std::string_view text);

// Appends `s` to *out with each byte of an invalid UTF-8 sequence replaced by U+FFFD
// (for text that arrives without any encoding guarantee, e.g. plain-text log lines).
void AppendValidUtf8(std::string_view s, std::string* out);

// Appends a double as the shortest text that reads back to the same value, always
// looking like a float ("20.0", "1e+21") so it reads back as a float; NaN and
// infinities (which JSON cannot express) become null.
void AppendJsonDouble(double v, std::string* out);

// True when `s` is one complete, well-formed JSON array (whitespace allowed around it).
bool IsJsonArrayText(std::string_view s);

// Appends row `row` of `b` to *out as one JSON object. Rendered: every column valid on
// that row except Vigil's own fields (a name with exactly one leading '@'); "@@" user
// names lose one '@'. Dotted names are nested again ("http.status" ->
// {"http":{"status":...}}) unless a proper prefix is itself a field of the row (then the
// dotted name stays a flat key, so nothing is lost), or the name has an empty segment.
// `name[]` String columns holding a JSON array render as `"name": [...]`; if the text
// is not a valid array the column renders as an ordinary string under its full name.
// Key order follows column order. REQUIRES: row < b.rows.
void RenderRowJson(const Batch& b, size_t row, std::string* out);

}  // namespace vigil
