// Set and pattern kernels: `x in [..]`, `x like "sub"`, `x like /re/`, `x =~ /re/`.
// Matching follows the comparison type rules: `in` compares like `=` (numbers with
// numbers, strings with strings); patterns only ever match String values.
#pragma once

#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

// Sets `out` to the rows of `in` where `v` equals one of the literals of `list` (kList).
void SelectIn(const Vector& v, const Expr& list, const Sel& in, Sel* out);

// Sets `out` to the rows of `in` where `v` is a String matching `pattern`: a bound
// kRegex (or a string literal with a compiled `regex`) is searched anywhere in the
// value; a plain string literal is a substring test.
void SelectMatch(const Vector& v, const Expr& pattern, const Sel& in, Sel* out);

// `@message like "lit"` for the rows of `in` without rendering JSON events, when `lit`
// allows it (message_match.cc); returns false, leaving `out` alone, when it does not.
// REQUIRES: no computed column shadows @message.
bool SelectMessageLiteral(const Frame& frame, std::string_view lit, const Sel& in, Sel* out);

// The text a pattern matches literally (a string, or a regex without special
// characters), or nullptr.
const std::string* PlainLiteral(const Expr& pattern);

// Whether `s` matches `pattern` under the same rules (for single values).
bool MatchesPattern(std::string_view s, const Expr& pattern);

}  // namespace vigil::query
