// SQL front end: a SELECT subset compiled into the same QueryAst as Logs Insights
// (docs/query.md, "SQL"):
//
//   SELECT item (',' item)* FROM name [WHERE expr] [GROUP BY expr (',' expr)*]
//     [HAVING expr] [ORDER BY expr [ASC|DESC] (',' ...)*] [LIMIT n]
//   item := '*' | expr [[AS] name]
//
// WHERE becomes `filter`, aggregates and GROUP BY become `stats`, HAVING a `filter` after
// it, the select list a `display`, ORDER BY `sort`, LIMIT `limit`, FROM `source`. Nothing
// after the AST knows which front end wrote it.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/ast.h"
#include "query/lexer.h"

namespace vigil::query {

// Whether `tokens` start with the word SELECT (any case, not in backticks).
bool IsSqlQuery(const std::vector<Token>& tokens);

// Parses a SQL query. Errors: InvalidArgument "line L, column C: ..." like ParseQuery.
Result<QueryAst> ParseSql(std::string_view text, std::vector<Token> tokens);

}  // namespace vigil::query
