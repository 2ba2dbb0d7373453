#include "query/parser.h"

#include <charconv>
#include <cstdint>
#include <utility>

#include "query/expr_parser.h"
#include "query/sql_parser.h"

namespace vigil::query {
namespace {

constexpr std::string_view kCommandList =
    "dedup, display, fields, filter, limit, parse, sort, source, stats";

// Logs Insights commands Vigil does not implement; named so the error says "not
// supported" instead of "unknown".
bool IsUnsupportedCommand(std::string_view lower) {
  for (std::string_view c : {"pattern", "diff", "anomaly", "unnest", "unmask", "lookup"})
    if (c == lower) return true;
  return false;
}

class Parser : public ExprParser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : ExprParser(text, std::move(tokens), Dialect::kInsights) {}

  Result<QueryAst> Run() {
    QueryAst ast;
    for (;;) {
      ASSIGN_OR_RETURN(Command cmd, ParseCommand(ast.commands.empty()));
      ast.commands.push_back(std::move(cmd));
      if (At(TokenKind::kEnd)) return ast;
      if (!At(TokenKind::kPipe)) return Expected(after_command_);
      Take();
      if (At(TokenKind::kEnd) || At(TokenKind::kPipe)) return Expected("a command after '|'");
    }
  }

 private:
  bool AtEndOfCommand() const {
    return At(TokenKind::kEnd) || At(TokenKind::kPipe) || At(TokenKind::kComma);
  }

  Result<Command> ParseCommand(bool first) {
    const Token& t = Cur();
    Command cmd;
    cmd.pos = t.pos;
    if (t.kind == TokenKind::kIdent && !t.quoted) {
      std::string lower = Lower(t.text);
      if (IsUnsupportedCommand(lower)) {
        return ErrorAt(t.pos, "command '" + lower + "' is not supported; supported: " +
                                  std::string(kCommandList));
      }
      return ErrorAt(
          t.pos, "unknown command '" + t.text + "'; expected one of: " + std::string(kCommandList));
    }
    if (t.kind != TokenKind::kKeyword || !IsCommandName(t.text)) {
      return Expected("a command (" + std::string(kCommandList) + ")");
    }
    const std::string name = Take().text;
    if (name == "filter") return ParseFilter(std::move(cmd));
    if (name == "fields" || name == "display") {
      cmd.kind = name == "fields" ? Command::Kind::kFields : Command::Kind::kDisplay;
      return ParseItems(std::move(cmd), name);
    }
    if (name == "sort") return ParseSort(std::move(cmd));
    if (name == "stats") return ParseStats(std::move(cmd));
    if (name == "parse") return ParseParse(std::move(cmd));
    if (name == "dedup") return ParseDedup(std::move(cmd));
    if (name == "source") return ParseSource(std::move(cmd), first);
    return ParseLimit(std::move(cmd));
  }

  Result<Command> ParseFilter(Command cmd) {
    cmd.kind = Command::Kind::kFilter;
    if (At(TokenKind::kEnd) || At(TokenKind::kPipe)) return Expected("a condition after 'filter'");
    ASSIGN_OR_RETURN(cmd.predicate, ParseExpr());
    after_command_ = "'and', 'or', '|' or end of query";
    return cmd;
  }

  // item (',' item)*, item := expr ['as' name]; the name defaults to the text as written.
  Result<std::vector<SelectItem>> ParseItemList(std::string after, std::string_view what) {
    std::vector<SelectItem> items;
    for (;;) {
      if (AtEndOfCommand() || AtKeyword("by")) return Expected(std::string(what) + " after " + after);
      SelectItem item;
      item.pos = Cur().pos;
      ASSIGN_OR_RETURN(item.expr, ParseExpr());
      item.name = item.expr->IsField() ? item.expr->name : SourceText(*item.expr);
      if (AtKeyword("as")) {
        Take();
        if (!AtName()) return Expected("a name after 'as'");
        item.name = Take().text;
      }
      items.push_back(std::move(item));
      if (!At(TokenKind::kComma)) return items;
      Take();
      after = "','";
    }
  }

  Result<Command> ParseItems(Command cmd, const std::string& keyword) {
    ASSIGN_OR_RETURN(cmd.items, ParseItemList("'" + keyword + "'", "a field name or expression"));
    after_command_ = "',', 'as', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseStats(Command cmd) {
    cmd.kind = Command::Kind::kStats;
    ASSIGN_OR_RETURN(cmd.items, ParseItemList("'stats'", "an aggregate such as count(*)"));
    after_command_ = "',', 'as', 'by', '|' or end of query";
    if (!AtKeyword("by")) return cmd;
    Take();
    ASSIGN_OR_RETURN(cmd.group, ParseItemList("'by'", "a field or expression to group by"));
    after_command_ = "',', 'as', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseSort(Command cmd) {
    cmd.kind = Command::Kind::kSort;
    std::string after = "'sort'";
    for (;;) {
      if (AtEndOfCommand()) return Expected("a field to sort by after " + after);
      SortItem key;
      key.pos = Cur().pos;
      ASSIGN_OR_RETURN(key.expr, ParseExpr());
      key.name = key.expr->IsField() ? key.expr->name : SourceText(*key.expr);
      if (AtKeyword("asc") || AtKeyword("desc")) key.desc = Take().text == "desc";
      cmd.keys.push_back(std::move(key));
      if (!At(TokenKind::kComma)) break;
      Take();
      after = "','";
    }
    after_command_ = "'asc', 'desc', ',', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseLimit(Command cmd) {
    cmd.kind = Command::Kind::kLimit;
    const Token& t = Cur();
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (t.kind != TokenKind::kNumber || ec != std::errc() || p != t.text.data() + t.text.size() ||
        n == 0) {
      return Expected("a positive integer after 'limit'");
    }
    Take();
    cmd.limit = n;
    after_command_ = "'|' or end of query";
    return cmd;
  }

  // parse <field> "glob * pattern" as a, b   |   parse <field> /(?<a>re)/
  Result<Command> ParseParse(Command cmd) {
    cmd.kind = Command::Kind::kParse;
    if (!AtName()) return Expected("a field to parse after 'parse'");
    const Token& f = Take();
    cmd.predicate = MakeField(f.text, f.pos);
    if (!At(TokenKind::kString) && !At(TokenKind::kRegex)) {
      return Expected("a \"glob * pattern\" or a /regex/ after the field");
    }
    cmd.is_regex = At(TokenKind::kRegex);
    cmd.pattern_pos = Cur().pos;
    cmd.pattern = Take().text;
    after_command_ = "'as', '|' or end of query";
    if (cmd.is_regex && !AtKeyword("as")) return cmd;
    if (!AtKeyword("as")) return Expected("'as' and the names of the parsed fields");
    Take();
    for (;;) {
      if (!AtName()) return Expected("a name for a parsed field");
      cmd.names.push_back(Take().text);
      if (!At(TokenKind::kComma)) break;
      Take();
    }
    after_command_ = "',', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseDedup(Command cmd) {
    cmd.kind = Command::Kind::kDedup;
    for (;;) {
      if (!AtName()) return Expected("a field name after " + PrevDescription());
      SelectItem item;
      item.pos = Cur().pos;
      item.name = Take().text;
      item.expr = MakeField(item.name, item.pos);
      cmd.items.push_back(std::move(item));
      if (!At(TokenKind::kComma)) break;
      Take();
    }
    after_command_ = "',', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseSource(Command cmd, bool first) {
    cmd.kind = Command::Kind::kSource;
    if (!first) return ErrorAt(cmd.pos, "'source' must be the first command of a query");
    if (!AtName()) return Expected("a view name after 'source'");
    cmd.pattern_pos = Cur().pos;
    cmd.pattern = Take().text;
    after_command_ = "'|' or end of query";
    return cmd;
  }

  std::string after_command_ = "'|' or end of query";
};

}  // namespace

Result<QueryAst> ParseQuery(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (IsSqlQuery(tokens)) return ParseSql(text, std::move(tokens));
  return Parser(text, std::move(tokens)).Run();
}

}  // namespace vigil::query
