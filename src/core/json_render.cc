#include "core/json_render.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace vigil {

namespace {

// Length of the valid UTF-8 sequence starting at p (n bytes available), or 0 (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(const unsigned char* p, size_t n) {
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && p[i] >= lo && p[i] <= hi;
  };
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

void AppendEscape(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    default: {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, sizeof u);
    }
  }
}

// Recursive-descent check of JSON text (RFC 8259), used to trust `name[]` columns
// before writing them raw into the output.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}

  bool WholeArray() {
    SkipSpace();
    if (Peek() != '[' || !Value(0)) return false;
    SkipSpace();
    return i_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 128;

  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  // Consumes the closing bracket or quote at the cursor.
  bool Close() {
    ++i_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool Value(int depth) {
    if (depth > kMaxDepth) return false;
    switch (Peek()) {
      case '[': return Container(depth, ']');
      case '{': return Container(depth, '}');
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }

  // Array or object body after its opening bracket.
  bool Container(int depth, char close) {
    ++i_;
    SkipSpace();
    if (Peek() == close) return Close();
    while (true) {
      if (close == '}') {
        if (Peek() != '"' || !String()) return false;
        SkipSpace();
        if (Peek() != ':') return false;
        ++i_;
        SkipSpace();
      }
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Peek() == close) return Close();
      if (Peek() != ',') return false;
      ++i_;
      SkipSpace();
    }
  }

  bool String() {
    ++i_;
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return Close();
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!Escape()) return false;
        continue;
      }
      size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(s_.data()) + i_,
                                      s_.size() - i_);
      if (len == 0) return false;
      i_ += len;
    }
    return false;
  }

  bool Escape() {
    ++i_;
    char e = Peek();
    ++i_;
    if (e == 'u') {
      for (int k = 0; k < 4; ++k, ++i_)
        if (!std::isxdigit(static_cast<unsigned char>(Peek()))) return false;
      return true;
    }
    return e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
           e == 't';
  }

  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  bool Number() {
    if (Peek() == '-') ++i_;
    if (Peek() == '0') {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++i_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!Digits()) return false;
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// One field of the row being rendered.
struct Field {
  std::string_view key;  // output key: '@' unescaped, "[]" removed for arrays
  const Column* col;
  bool raw_array;
};

// Output tree: an object node has children, a leaf node has a field.
struct Node {
  std::string_view key;
  int field = -1;  // index into fields, or -1 for an object
  int first_child = -1;
  int last_child = -1;
  int next = -1;
};

constexpr size_t kMaxSegments = 64;

std::vector<Field> CollectFields(const Batch& b, size_t row) {
  std::vector<Field> fields;
  for (const Column& c : b.columns) {
    if (!c.IsValid(row) || IsVigilField(c.name)) continue;
    std::string_view key = c.name;
    if (key.size() >= 2 && key[0] == '@') key.remove_prefix(1);
    bool array = c.type == Type::kString && key.size() > kArraySuffix.size() &&
                 key.ends_with(kArraySuffix) && IsJsonArrayText(c.strs[row]);
    if (array) key.remove_suffix(kArraySuffix.size());
    fields.push_back({key, &c, array});
  }
  return fields;
}

// A dotted key nests unless a segment is empty, it is absurdly deep, or one of its
// proper prefixes is a field itself (a scalar cannot also be an object).
bool ShouldNest(std::string_view key, const std::vector<std::string_view>& sorted_keys) {
  if (key.find('.') == key.npos) return false;
  size_t segments = 1;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] != '.') continue;
    if (i == 0 || i + 1 == key.size() || key[i - 1] == '.') return false;
    if (++segments > kMaxSegments) return false;
    if (std::binary_search(sorted_keys.begin(), sorted_keys.end(), key.substr(0, i))) return false;
  }
  return true;
}

class TreeBuilder {
 public:
  TreeBuilder() { nodes_.push_back({}); }

  void AddFlat(std::string_view key, int field) { AddChild(0, key, field); }

  void AddNested(std::string_view key, int field) {
    int parent = 0;
    size_t start = 0;
    for (size_t dot = key.find('.'); dot != key.npos; dot = key.find('.', start)) {
      parent = ObjectChild(parent, key.substr(start, dot - start));
      start = dot + 1;
    }
    AddChild(parent, key.substr(start), field);
  }

  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  int AddChild(int parent, std::string_view key, int field) {
    int id = static_cast<int>(nodes_.size());
    nodes_.push_back({key, field, -1, -1, -1});
    Node& p = nodes_[parent];
    if (p.last_child < 0) {
      p.first_child = id;
    } else {
      nodes_[p.last_child].next = id;
    }
    p.last_child = id;
    return id;
  }

  int ObjectChild(int parent, std::string_view key) {
    for (int c = nodes_[parent].first_child; c >= 0; c = nodes_[c].next)
      if (nodes_[c].field < 0 && nodes_[c].key == key) return c;
    return AddChild(parent, key, -1);
  }

  std::vector<Node> nodes_;
};

void AppendValue(const Field& f, size_t row, std::string* out) {
  const Column& c = *f.col;
  switch (c.type) {
    case Type::kBool: out->append(c.ints[row] ? "true" : "false"); return;
    case Type::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, c.ints[row]);
      out->append(buf, r.ptr);
      return;
    }
    case Type::kFloat: AppendJsonDouble(c.floats[row], out); return;
    case Type::kString:
      if (f.raw_array) {
        out->append(c.strs[row]);
      } else {
        AppendJsonString(c.strs[row], out);
      }
      return;
    case Type::kNull: out->append("null"); return;
  }
}

void AppendNode(const std::vector<Node>& nodes, int id, const std::vector<Field>& fields,
                size_t row, std::string* out) {
  const Node& n = nodes[id];
  if (n.field >= 0) return AppendValue(fields[n.field], row, out);
  out->push_back('{');
  for (int c = n.first_child; c >= 0; c = nodes[c].next) {
    if (c != n.first_child) out->push_back(',');
    AppendJsonString(nodes[c].key, out);
    out->push_back(':');
    AppendNode(nodes, c, fields, row, out);
  }
  out->push_back('}');
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  out->reserve(out->size() + n + 2);
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes to copy verbatim
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0x80 ? Utf8SequenceLength(p + i, n - i) : 0;
    if (len > 0) {
      i += len;
      continue;
    }
    out->append(s.data() + run, i - run);
    if (c >= 0x80) {
      out->append(kReplacementChar);
    } else {
      AppendEscape(c, out);
    }
    run = ++i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

bool IsVigilField(std::string_view name) {
  return !name.empty() && name[0] == '@' && (name.size() < 2 || name[1] != '@');
}

bool MatchesOnlyInsideStrings(std::string_view text) {
  if (text.empty()) return false;
  bool outside_tokens = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || std::strchr("\"\\{}[]:,.", ch) != nullptr) return false;
    if (std::strchr("0123456789eE+-truefalsn", ch) == nullptr) outside_tokens = true;
  }
  return outside_tokens;
}

bool NeedsJsonEscape(std::string_view s) {
  bool any = false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    any |= (c < 0x20) | (c == '"') | (c == '\\');
  }
  return any;
}

bool MayMatchInsideEscapes(std::string_view text) {
  return !text.empty() && std::strchr("bfnrtu0123456789abcdefABCDEF", text[0]) != nullptr;
}

void AppendValidUtf8(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t run = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(p + i, s.size() - i);
    if (len > 0) {
      i += len;
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(kReplacementChar);
    run = ++i;
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendJsonDouble(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, r.ptr - buf);
  out->append(text);
  if (text.find_first_of(".e") == text.npos) out->append(".0");
}

bool IsJsonArrayText(std::string_view s) { return JsonChecker(s).WholeArray(); }

void RenderRowJson(const Batch& b, size_t row, std::string* out) {
  std::vector<Field> fields = CollectFields(b, row);
  std::vector<std::string_view> keys;
  keys.reserve(fields.size());
  for (const Field& f : fields) keys.push_back(f.key);
  std::sort(keys.begin(), keys.end());
  TreeBuilder tree;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (ShouldNest(fields[i].key, keys)) {
      tree.AddNested(fields[i].key, static_cast<int>(i));
    } else {
      tree.AddFlat(fields[i].key, static_cast<int>(i));
    }
  }
  AppendNode(tree.nodes(), 0, fields, row, out);
}

}  // namespace vigil
