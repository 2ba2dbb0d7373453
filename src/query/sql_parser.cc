#include "query/sql_parser.h"

#include "query/expr_parser.h"

namespace vigil::query {

bool IsSqlQuery(const std::vector<Token>& tokens) {
  const Token& t = tokens.front();
  return t.kind == TokenKind::kIdent && !t.quoted && Lower(t.text) == "select";
}

Result<QueryAst> ParseSql(std::string_view, std::vector<Token> tokens) {
  return ErrorAt(tokens.front().pos, "SQL queries are not supported yet");
}

}  // namespace vigil::query
