// Lexer for the Logs Insights query language (docs/query.md).
//
// Turns query text into tokens that carry their line and column, so every later error
// (parser, binder) can point at the place in the query it is about.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::query {

// A place in the query text. Both are 1-based; columns count characters (UTF-8 code
// points), not bytes.
struct SourcePos {
  int line = 1;
  int column = 1;
  bool operator==(const SourcePos&) const = default;
};

enum class TokenKind {
  kEnd,      // end of query (always the last token)
  kIdent,    // field or function name: `status`, `@timestamp`, `http.status`, `a b` in backticks
  kKeyword,  // reserved word, matched case-insensitively (see IsKeyword)
  kString,   // "..." or '...'
  kNumber,   // 12, 1.5, 2e3 (never signed: `-` is its own token)
  kDuration, // 5m, 1h, 30s, 250ms (a number with a time unit; see DurationNanos)
  kRegex,    // /re/ after `like`, `=~` or `parse <field>`; text is the pattern (`\/` undone)
  kPipe,     // |
  kComma,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kEq,  // =
  kNe,  // != (also <>, for SQL)
  kMatch,  // =~
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kCaret,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  // kIdent: the name (backticks removed, doubled backticks undone); kKeyword: the
  // keyword in lower case; kString: the decoded value; otherwise the text as written.
  std::string text;
  SourcePos pos;     // first character
  size_t begin = 0;  // byte span [begin, end) in the query text
  size_t end = 0;
  bool quoted = false;  // kIdent written in backticks (never a keyword)
};

// Keywords: and or not as asc desc true false null in like by, and the command names
// filter fields display sort limit stats parse dedup source. Command names may still be
// used as field names inside expressions (the parser accepts them there); the others need
// backticks to be used as names.
bool IsKeyword(std::string_view lower);
bool IsCommandName(std::string_view lower);

// Nanoseconds in a kDuration token's text ("5m" -> 300e9). Units: ms s m h d w.
// Errors: InvalidArgument (at `pos`) for an unknown unit or an overflow.
Result<int64_t> DurationNanos(std::string_view text, SourcePos pos);

// Splits `text` into tokens; the last one is kEnd. A `/` starts a regex literal (kRegex)
// where a regex is expected: after `like`, `=~`, and after `parse <field>`; elsewhere it
// is division. The kEnd token sits on the last
// character of the last token (1:1 for an empty query), so an error at the end of the
// query points at where the query stops. Comments (`#` to end of line) and whitespace
// are skipped.
// Errors: InvalidArgument "line L, column C: ..." for an unterminated string or
// backtick name, an unknown escape, a malformed number or a stray character.
Result<std::vector<Token>> Tokenize(std::string_view text);

// "line L, column C: <message>" as an InvalidArgument status.
Status ErrorAt(SourcePos pos, std::string_view message);

// How an error message names a token: "end of query", or the token as written in
// quotes (shortened when long), e.g. "'>='", "'\"abc\"'".
std::string DescribeToken(const Token& token, std::string_view text);

}  // namespace vigil::query
