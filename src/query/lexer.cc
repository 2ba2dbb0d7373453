#include "query/lexer.h"

#include <array>
#include <cstdint>

namespace vigil::query {
namespace {

constexpr std::array<std::string_view, 12> kKeywords = {
    "and", "or", "not", "as", "asc", "desc", "true", "false", "null", "in", "like", "by"};
constexpr std::array<std::string_view, 9> kCommands = {
    "filter", "fields", "display", "sort", "limit", "stats", "parse", "dedup", "source"};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// Bytes >= 0x80 belong to UTF-8 encoded letters; names may contain them.
bool IsNameStart(char c) {
  return IsAsciiLetter(c) || c == '_' || c == '@' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c) || c == '.'; }

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexDigit(char c) {
  if (IsDigit(c)) return c - '0';
  c = ToLower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token>& out = tokens_;
    for (;;) {
      SkipSpaceAndComments();
      if (AtEnd()) break;
      Token t;
      t.pos = pos_;
      t.begin = i_;
      RETURN_IF_ERROR(Next(&t));
      t.end = i_;
      last_char_pos_ = prev_pos_;
      out.push_back(std::move(t));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.pos = out.empty() ? SourcePos{} : last_char_pos_;
    end.begin = end.end = text_.size();
    out.push_back(std::move(end));
    return std::move(out);
  }

 private:
  bool AtEnd() const { return i_ >= text_.size(); }
  char Peek(size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }

  // Consumes one byte, keeping line/column in step (columns count code points).
  char Advance() {
    char c = text_[i_++];
    prev_pos_ = pos_;
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((static_cast<unsigned char>(Peek()) & 0xC0) != 0x80) {
      ++pos_.column;
    }
    return c;
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        Advance();
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else {
        return;
      }
    }
  }

  Status Next(Token* t) {
    char c = Peek();
    if (IsNameStart(c)) return Name(t);
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return Number(t);
    if (c == '"' || c == '\'') return String(t);
    if (c == '`') return Backticked(t);
    if (c == '/' && RegexExpected()) return Regex(t);
    return Operator(t);
  }

  Status Name(Token* t) {
    while (!AtEnd() && IsNameChar(Peek())) t->text.push_back(Advance());
    std::string lower;
    for (char ch : t->text) lower.push_back(ToLower(ch));
    if (IsKeyword(lower)) {
      t->kind = TokenKind::kKeyword;
      t->text = std::move(lower);
    } else {
      t->kind = TokenKind::kIdent;
    }
    return Status::OK();
  }

  Status Number(Token* t) {
    t->kind = TokenKind::kNumber;
    auto digits = [&] {
      while (IsDigit(Peek())) t->text.push_back(Advance());
    };
    digits();
    if (Peek() == '.' && IsDigit(Peek(1))) {
      t->text.push_back(Advance());
      digits();
    }
    if ((Peek() == 'e' || Peek() == 'E') &&
        (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
      t->text.push_back(Advance());
      if (!IsDigit(Peek())) t->text.push_back(Advance());
      digits();
    }
    if (IsNameChar(Peek())) {
      const size_t digits_end = t->text.size();
      while (IsNameChar(Peek())) t->text.push_back(Advance());
      if (IsDurationUnit(std::string_view(t->text).substr(digits_end))) {
        t->kind = TokenKind::kDuration;
        return Status::OK();
      }
      return ErrorAt(t->pos, "invalid number '" + t->text + "'");
    }
    return Status::OK();
  }

  static bool IsDurationUnit(std::string_view unit) {
    for (std::string_view u : {"ms", "s", "m", "h", "d", "w"})
      if (unit == u) return true;
    return false;
  }

  // A regex may start here: after `like`, `=~`, or `parse <name>`.
  bool RegexExpected() const {
    const size_t n = tokens_.size();
    if (n == 0) return false;
    const Token& prev = tokens_[n - 1];
    if (prev.kind == TokenKind::kMatch) return true;
    if (prev.kind == TokenKind::kKeyword && prev.text == "like") return true;
    return n >= 2 && prev.kind == TokenKind::kIdent && tokens_[n - 2].kind == TokenKind::kKeyword &&
           tokens_[n - 2].text == "parse";
  }

  // /pattern/: `\/` stands for `/`; every other backslash sequence is kept for RE2.
  Status Regex(Token* t) {
    t->kind = TokenKind::kRegex;
    Advance();
    for (;;) {
      if (AtEnd()) return ErrorAt(t->pos, "unterminated regular expression: missing closing '/'");
      char c = Advance();
      if (c == '/') return Status::OK();
      if (c == '\\' && Peek() == '/') {
        t->text.push_back(Advance());
        continue;
      }
      t->text.push_back(c);
      if (c == '\\' && !AtEnd()) t->text.push_back(Advance());
    }
  }

  Status String(Token* t) {
    t->kind = TokenKind::kString;
    const char quote = Advance();
    for (;;) {
      if (AtEnd()) return ErrorAt(t->pos, "unterminated string literal");
      SourcePos at = pos_;
      char c = Advance();
      if (c == quote) return Status::OK();
      if (c != '\\') {
        t->text.push_back(c);
        continue;
      }
      if (AtEnd()) return ErrorAt(t->pos, "unterminated string literal");
      RETURN_IF_ERROR(Escape(at, &t->text));
    }
  }

  // After a backslash at `at`: decodes one escape sequence into `out`.
  Status Escape(SourcePos at, std::string* out) {
    char e = Advance();
    switch (e) {
      case '\\':
        out->push_back('\\');
        return Status::OK();
      case '"':
        out->push_back('"');
        return Status::OK();
      case '\'':
        out->push_back('\'');
        return Status::OK();
      case '/':
        out->push_back('/');
        return Status::OK();
      case 'n':
        out->push_back('\n');
        return Status::OK();
      case 't':
        out->push_back('\t');
        return Status::OK();
      case 'r':
        out->push_back('\r');
        return Status::OK();
      case 'u': {
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
          int h = HexDigit(Peek());
          if (h < 0) return ErrorAt(at, "invalid escape sequence: '\\u' needs 4 hex digits");
          Advance();
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        AppendUtf8(cp, out);
        return Status::OK();
      }
      default:
        return ErrorAt(at, std::string("unknown escape sequence '\\") + e +
                               "' (use \\\\ \\\" \\' \\n \\t \\r or \\uXXXX)");
    }
  }

  Status Backticked(Token* t) {
    t->kind = TokenKind::kIdent;
    t->quoted = true;
    Advance();
    for (;;) {
      if (AtEnd()) return ErrorAt(t->pos, "unterminated name: missing closing '`'");
      char c = Advance();
      if (c == '`') {
        if (Peek() != '`') break;
        Advance();  // a doubled backtick stands for one
      }
      t->text.push_back(c);
    }
    if (t->text.empty()) return ErrorAt(t->pos, "empty name in backticks");
    return Status::OK();
  }

  Status Operator(Token* t) {
    const char c = Advance();
    auto two = [&](char next, TokenKind yes, TokenKind no) {
      if (Peek() == next) {
        t->text.push_back(Advance());
        t->kind = yes;
      } else {
        t->kind = no;
      }
      return Status::OK();
    };
    t->text.push_back(c);
    switch (c) {
      case '|':
        t->kind = TokenKind::kPipe;
        return Status::OK();
      case ',':
        t->kind = TokenKind::kComma;
        return Status::OK();
      case '(':
        t->kind = TokenKind::kLParen;
        return Status::OK();
      case ')':
        t->kind = TokenKind::kRParen;
        return Status::OK();
      case '[':
        t->kind = TokenKind::kLBracket;
        return Status::OK();
      case ']':
        t->kind = TokenKind::kRBracket;
        return Status::OK();
      case '=':
        return two('~', TokenKind::kMatch, TokenKind::kEq);
      case '+':
        t->kind = TokenKind::kPlus;
        return Status::OK();
      case '-':
        t->kind = TokenKind::kMinus;
        return Status::OK();
      case '*':
        t->kind = TokenKind::kStar;
        return Status::OK();
      case '/':
        t->kind = TokenKind::kSlash;
        return Status::OK();
      case '%':
        t->kind = TokenKind::kPercent;
        return Status::OK();
      case '^':
        t->kind = TokenKind::kCaret;
        return Status::OK();
      case '<':
        if (Peek() == '>') return two('>', TokenKind::kNe, TokenKind::kNe);
        return two('=', TokenKind::kLe, TokenKind::kLt);
      case '>':
        return two('=', TokenKind::kGe, TokenKind::kGt);
      case '!':
        if (Peek() == '=') return two('=', TokenKind::kNe, TokenKind::kNe);
        return ErrorAt(t->pos, "unexpected character '!' (use 'not' or '!=')");
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20)
      return ErrorAt(t->pos, "unexpected control character");
    return ErrorAt(t->pos, std::string("unexpected character '") + c + "'");
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t i_ = 0;
  SourcePos pos_;
  SourcePos prev_pos_;       // position of the byte consumed last
  SourcePos last_char_pos_;  // position of the last character of the last token
};

}  // namespace

bool IsKeyword(std::string_view lower) {
  for (std::string_view k : kKeywords)
    if (k == lower) return true;
  return IsCommandName(lower);
}

bool IsCommandName(std::string_view lower) {
  for (std::string_view k : kCommands)
    if (k == lower) return true;
  return false;
}

Result<int64_t> DurationNanos(std::string_view text, SourcePos pos) {
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) ++digits;
  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1'000'000;
  if (unit == "s") scale = 1'000'000'000;
  if (unit == "m") scale = int64_t{60} * 1'000'000'000;
  if (unit == "h") scale = int64_t{3600} * 1'000'000'000;
  if (unit == "d") scale = int64_t{86400} * 1'000'000'000;
  if (unit == "w") scale = int64_t{7 * 86400} * 1'000'000'000;
  int64_t n = 0, out = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, text[i] - '0', &n)) {
      return ErrorAt(pos, "duration out of range: " + std::string(text));
    }
  }
  if (scale == 0 || digits == 0) {
    return ErrorAt(pos, "invalid duration '" + std::string(text) +
                            "' (use a whole number with ms, s, m, h, d or w)");
  }
  if (__builtin_mul_overflow(n, scale, &out) || out == 0) {
    return ErrorAt(pos, "duration out of range: " + std::string(text));
  }
  return out;
}

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

Status ErrorAt(SourcePos pos, std::string_view message) {
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " +
                                 std::to_string(pos.column) + ": " + std::string(message));
}

std::string DescribeToken(const Token& token, std::string_view text) {
  if (token.kind == TokenKind::kEnd) return "end of query";
  constexpr size_t kMax = 24;
  std::string_view written = text.substr(token.begin, token.end - token.begin);
  std::string out = "'";
  if (written.size() > kMax) {
    out.append(written.substr(0, kMax));
    out.append("...");
  } else {
    out.append(written);
  }
  out.push_back('\'');
  return out;
}

}  // namespace vigil::query
