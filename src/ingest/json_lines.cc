// NDJSON / JSON-array ingest (see json_lines.h). Choices not spelled out there:
//   - `index` of a rejection is the 0-based physical line (blank lines count) or array
//     element, so a sender can find the line in what it sent;
//   - per event at most 32 levels of nesting and 1000 stored fields, else the line is
//     rejected with the limit in the reason; max_line_bytes applies to NDJSON lines
//     only (an array body is bounded by the request size limit);
//   - arrays are stored as JSON text under "<name>[]" (core/json_render.h);
//   - in plain-text mode a line that is not a JSON object (invalid JSON or a JSON
//     scalar/array) becomes {"@message": line}, with invalid UTF-8 bytes replaced by
//     U+FFFD; a body starting with '[' that is not a JSON array is read as lines.
#include "ingest/json_lines.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "core/json_render.h"
#include "core/timestamp.h"

namespace vigil {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Limits that keep one hostile line from costing more than a normal one; the reasons
// name them so a sender can fix the event.
constexpr size_t kMaxDepth = 32;     // nested objects/arrays, the top-level object is 1
constexpr size_t kMaxFields = 1000;  // stored fields per event (an array counts once)

// Keys that carry the event time, in priority order (top level only).
constexpr std::array<std::string_view, 4> kTimeKeys = {"timestamp", "@timestamp", "time", "ts"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBlank(std::string_view s) {
  for (char c : s)
    if (!IsSpace(c)) return false;
  return true;
}

Status TooDeep() {
  return Status::InvalidArgument("nested deeper than " + std::to_string(kMaxDepth) + " levels");
}

void AppendInteger(auto v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

Status WriteJson(element el, size_t depth, std::string* out);

Status WriteArray(simdjson::dom::array array, size_t depth, std::string* out) {
  if (depth > kMaxDepth) return TooDeep();
  out->push_back('[');
  bool first = true;
  for (element child : array) {
    if (!first) out->push_back(',');
    first = false;
    RETURN_IF_ERROR(WriteJson(child, depth + 1, out));
  }
  out->push_back(']');
  return Status::OK();
}

Status WriteObject(object obj, size_t depth, std::string* out) {
  if (depth > kMaxDepth) return TooDeep();
  out->push_back('{');
  bool first = true;
  for (auto field : obj) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(field.key, out);
    out->push_back(':');
    RETURN_IF_ERROR(WriteJson(field.value, depth + 1, out));
  }
  out->push_back('}');
  return Status::OK();
}

// Minified JSON text of `el`, the stored form of an array (core/json_render.h).
// Strings are re-escaped and doubles re-printed, so the text is equivalent to the
// input, not byte-identical.
Status WriteJson(element el, size_t depth, std::string* out) {
  switch (el.type()) {
    case element_type::ARRAY: return WriteArray(el.get_array().value_unsafe(), depth, out);
    case element_type::OBJECT: return WriteObject(el.get_object().value_unsafe(), depth, out);
    case element_type::STRING: AppendJsonString(el.get_string().value_unsafe(), out); break;
    case element_type::INT64: AppendInteger(el.get_int64().value_unsafe(), out); break;
    case element_type::UINT64: AppendInteger(el.get_uint64().value_unsafe(), out); break;
    case element_type::DOUBLE: AppendJsonDouble(el.get_double().value_unsafe(), out); break;
    case element_type::BOOL: out->append(el.get_bool().value_unsafe() ? "true" : "false"); break;
    case element_type::NULL_VALUE: out->append("null"); break;
  }
  return Status::OK();
}

// Event time from the value of one of kTimeKeys.
Result<int64_t> TimeFromElement(std::string_view key, element el) {
  switch (el.type()) {
    case element_type::INT64: return EpochNumberToNs(el.get_int64().value_unsafe());
    case element_type::UINT64:
      return EpochNumberToNs(static_cast<double>(el.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return EpochNumberToNs(el.get_double().value_unsafe());
    case element_type::STRING: {
      auto ns = ParseTimestampString(el.get_string().value_unsafe());
      if (ns.ok()) return ns;
      return Status::InvalidArgument("field \"" + std::string(key) + "\": " + ns.status().message());
    }
    default:
      return Status::InvalidArgument("field \"" + std::string(key) +
                                     "\": expected an epoch number or an RFC 3339 string");
  }
}

// One ParseJsonLines call. Owns the reusable buffers that keep the per-field work free
// of allocations: the dotted-name buffer, the array-text buffer and the parser itself.
class JsonLinesParser {
 public:
  explicit JsonLinesParser(const JsonLinesOptions& options) : opts_(options) {}

  Result<JsonLinesResult> Run(std::string_view body) {
    if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);  // UTF-8 byte order mark
    size_t first = 0;
    while (first < body.size() && IsSpace(body[first])) ++first;
    bool array_body = first < body.size() && body[first] == '[';
    Status st = array_body ? ParseArray(body) : ParseNdjson(body);
    // "[INFO] ..." starts plain text too: in plain-text mode a body that is not a JSON
    // array is read line by line instead.
    if (!st.ok() && array_body && opts_.accept_plain_text) st = ParseNdjson(body);
    RETURN_IF_ERROR(st);
    result_.batch = builder_.Finish();
    return std::move(result_);
  }

 private:
  Status ParseNdjson(std::string_view body) {
    builder_ = BatchBuilder();
    result_ = JsonLinesResult();
    size_t capacity = std::min(body.size(), opts_.max_line_bytes);
    if (capacity > 0 && parser_.allocate(capacity) != simdjson::SUCCESS)
      return Status::ResourceExhausted("cannot allocate a JSON parser for " +
                                       std::to_string(capacity) + " bytes");
    const char* end = body.data() + body.size();
    size_t index = 0;
    for (const char* p = body.data(); p < end; ++index) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      const char* line_end = nl ? nl : end;
      std::string_view line(p, line_end - p);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && !IsBlank(line)) ParseLine(line, end, index);
      p = nl ? nl + 1 : end;
    }
    return Status::OK();
  }

  Status ParseArray(std::string_view body) {
    builder_ = BatchBuilder();
    result_ = JsonLinesResult();
    simdjson::padded_string copy(body);
    auto doc = parser_.parse(copy);
    if (doc.error())
      return Status::InvalidArgument(std::string("invalid JSON array: ") +
                                     simdjson::error_message(doc.error()));
    auto array = doc.value_unsafe().get_array();
    if (array.error()) return Status::InvalidArgument("body is not a JSON array");
    size_t index = 0;
    for (element el : array.value_unsafe()) {
      if (el.type() == element_type::OBJECT) {
        AddObject(el.get_object().value_unsafe(), index);
      } else {
        Reject(index, "not a JSON object");
      }
      ++index;
    }
    return Status::OK();
  }

  // `body_end` tells whether the bytes after the line can serve as simdjson's padding.
  void ParseLine(std::string_view line, const char* body_end, size_t index) {
    if (line.size() > opts_.max_line_bytes) {
      Reject(index, "line is " + std::to_string(line.size()) + " bytes, over the " +
                        std::to_string(opts_.max_line_bytes) + "-byte limit");
      return;
    }
    const char* data = line.data();
    if (static_cast<size_t>(body_end - (data + line.size())) < simdjson::SIMDJSON_PADDING) {
      padded_.assign(line);
      padded_.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
      data = padded_.data();
    }
    auto doc = parser_.parse(data, line.size(), false);
    if (!doc.error() && doc.value_unsafe().type() == element_type::OBJECT) {
      AddObject(doc.value_unsafe().get_object().value_unsafe(), index);
    } else if (opts_.accept_plain_text) {
      AddPlainText(line);
    } else if (doc.error()) {
      Reject(index, std::string("invalid JSON: ") + simdjson::error_message(doc.error()));
    } else {
      Reject(index, "not a JSON object");
    }
  }

  void AddObject(object obj, size_t index) {
    builder_.BeginRow();
    fields_ = 0;
    time_key_ = kTimeKeys.size();
    Status st = AddTopLevel(obj);
    if (st.ok()) {
      Result<int64_t> ts = time_key_ < kTimeKeys.size()
                               ? TimeFromElement(kTimeKeys[time_key_], time_value_)
                               : Result<int64_t>(opts_.ingest_time_ns);
      if (ts.ok()) {
        AddVigilFields(ts.value());
      } else {
        st = ts.status();
      }
    }
    if (!st.ok()) {
      builder_.AbortRow();
      Reject(index, st.message());
      return;
    }
    builder_.EndRow();
    ++result_.accepted;
  }

  void AddPlainText(std::string_view line) {
    builder_.BeginRow();
    text_.clear();
    AppendValidUtf8(line, &text_);
    builder_.AddString(field::kMessage, text_);
    AddVigilFields(opts_.ingest_time_ns);
    builder_.EndRow();
    ++result_.accepted;
  }

  void AddVigilFields(int64_t timestamp_ns) {
    builder_.AddInt(field::kTimestamp, timestamp_ns);
    builder_.AddInt(field::kIngested, opts_.ingest_time_ns);
    if (!opts_.group.empty()) builder_.AddString(field::kGroup, opts_.group);
    if (!opts_.stream.empty()) builder_.AddString(field::kStream, opts_.stream);
  }

  Status AddTopLevel(object obj) {
    for (auto field : obj) {
      key_.clear();
      if (field.key.starts_with('@')) key_.push_back('@');  // "@x" is Vigil's; user's is "@@x"
      key_.append(field.key);
      if (field.value.type() != element_type::NULL_VALUE) NoteTimeKey(field.key, field.value);
      RETURN_IF_ERROR(AddValue(field.value, 1));
    }
    return Status::OK();
  }

  void NoteTimeKey(std::string_view key, element value) {
    for (size_t i = 0; i < time_key_; ++i) {
      if (key == kTimeKeys[i]) {
        time_key_ = i;
        time_value_ = value;
        return;
      }
    }
  }

  // Stores `el` under the name in key_; `depth` is that of the object holding it.
  Status AddValue(element el, size_t depth) {
    switch (el.type()) {
      case element_type::OBJECT: return AddNested(el.get_object().value_unsafe(), depth + 1);
      case element_type::ARRAY: return AddArray(el, depth + 1);
      case element_type::NULL_VALUE: return Status::OK();  // null and absent are the same
      default: break;
    }
    if (++fields_ > kMaxFields) return TooManyFields();
    switch (el.type()) {
      case element_type::STRING: builder_.AddString(key_, el.get_string().value_unsafe()); break;
      case element_type::INT64: builder_.AddInt(key_, el.get_int64().value_unsafe()); break;
      case element_type::UINT64:  // above INT64_MAX: only a double can hold it
        builder_.AddFloat(key_, static_cast<double>(el.get_uint64().value_unsafe()));
        break;
      case element_type::DOUBLE: builder_.AddFloat(key_, el.get_double().value_unsafe()); break;
      case element_type::BOOL: builder_.AddBool(key_, el.get_bool().value_unsafe()); break;
      default: break;
    }
    return Status::OK();
  }

  Status AddNested(object obj, size_t depth) {
    if (depth > kMaxDepth) return TooDeep();
    size_t prefix = key_.size();
    for (auto field : obj) {
      key_.push_back('.');
      key_.append(field.key);
      RETURN_IF_ERROR(AddValue(field.value, depth));
      key_.resize(prefix);
    }
    return Status::OK();
  }

  Status AddArray(element array, size_t depth) {
    if (++fields_ > kMaxFields) return TooManyFields();
    array_text_.clear();
    RETURN_IF_ERROR(WriteJson(array, depth, &array_text_));
    size_t prefix = key_.size();
    key_.append(kArraySuffix);
    builder_.AddString(key_, array_text_);
    key_.resize(prefix);
    return Status::OK();
  }

  static Status TooManyFields() {
    return Status::InvalidArgument("more than " + std::to_string(kMaxFields) + " fields");
  }

  void Reject(size_t index, std::string reason) {
    result_.rejected.push_back({index, std::move(reason)});
  }

  const JsonLinesOptions& opts_;
  simdjson::dom::parser parser_;
  BatchBuilder builder_;
  JsonLinesResult result_;
  std::string key_;         // dotted name of the value being stored
  std::string array_text_;  // JSON text of the array being stored
  std::string padded_;      // copy of a line too close to the end of the body to parse in place
  std::string text_;        // plain-text line made valid UTF-8
  size_t fields_ = 0;       // fields stored for the current event
  size_t time_key_ = kTimeKeys.size();  // best kTimeKeys index seen in the current event
  element time_value_;
};

}  // namespace

Result<JsonLinesResult> ParseJsonLines(std::string_view body, const JsonLinesOptions& options) {
  JsonLinesParser parser(options);
  return parser.Run(body);
}

}  // namespace vigil
