// Parser for the Logs Insights query language: query text -> QueryAst.
//
// Grammar (lowest precedence first; see docs/query.md):
//   query      := command ('|' command)*
//   command    := 'filter' expr
//               | ('fields' | 'display') item (',' item)*
//               | 'sort' expr ['asc' | 'desc'] (',' expr ['asc' | 'desc'])*
//               | 'limit' INTEGER
//   item       := expr ['as' name]
//   expr       := and ('or' and)*
//   and        := not ('and' not)*
//   not        := 'not' not | comparison
//   comparison := additive [('=' | '!=' | '<' | '<=' | '>' | '>=') additive]
//   additive   := term (('+' | '-') term)*
//   term       := unary (('*' | '/' | '%') unary)*
//   unary      := '-' unary | power
//   power      := primary ['^' unary]
//   primary    := NUMBER | STRING | 'true' | 'false' | 'null' | name
//               | name '(' [expr (',' expr)*] ')' | '(' expr ')'
// Arithmetic and calls are parsed so the AST is complete; the binder decides what is
// supported.
#pragma once

#include <string_view>

#include "core/status.h"
#include "query/ast.h"

namespace vigil::query {

// Parses `text`. Errors: InvalidArgument "line L, column C: expected X, found Y" (or a
// similar sentence naming the problem) for any lexical or syntax error.
// Thread-safe (no shared state).
Result<QueryAst> ParseQuery(std::string_view text);

}  // namespace vigil::query
