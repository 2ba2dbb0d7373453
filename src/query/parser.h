// Parser for the query languages: query text -> QueryAst. A query whose first word is
// SELECT goes to the SQL front end (sql_parser.h); any other is Logs Insights:
//
//   query      := command ('|' command)*
//   command    := 'filter' expr
//               | ('fields' | 'display') item (',' item)*
//               | 'stats' item (',' item)* ['by' item (',' item)*]
//               | 'sort' expr ['asc' | 'desc'] (',' expr ['asc' | 'desc'])*
//               | 'limit' INTEGER
//               | 'parse' name (STRING 'as' name (',' name)* | REGEX ['as' name, ...])
//               | 'dedup' name (',' name)*
//               | 'source' name                      (first command only)
//   item       := expr ['as' name]
// Expressions: expr_parser.h. The parser checks syntax only; the binder decides what a
// name or call means.
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
