#include "query/sql_parser.h"

#include <charconv>
#include <map>

#include "query/aggregates.h"
#include "query/expr_parser.h"

namespace vigil::query {
namespace {

bool IsClauseWord(std::string_view lower) {
  for (std::string_view w : {"from", "where", "group", "having", "order", "limit"})
    if (w == lower) return true;
  return false;
}

struct SqlQuery {
  SourcePos pos;
  std::vector<SelectItem> items;  // empty for SELECT *
  std::string from;
  SourcePos from_pos;
  ExprPtr where;
  SourcePos where_pos;
  std::vector<SelectItem> group;
  ExprPtr having;
  SourcePos having_pos;
  std::vector<SortItem> order;
  SourcePos order_pos;
  uint64_t limit = 0;
  SourcePos limit_pos;
};

class SqlParser : public ExprParser {
 public:
  SqlParser(std::string_view text, std::vector<Token> tokens)
      : ExprParser(text, std::move(tokens), Dialect::kSql) {}

  Result<SqlQuery> Run() {
    SqlQuery q;
    q.pos = Take().pos;  // SELECT
    RETURN_IF_ERROR(ParseSelectList(&q));
    if (!AtWord("from")) return Expected("',' or FROM after the select list");
    Take();
    if (!AtName()) return Expected("a view name after FROM (such as events)");
    q.from_pos = Cur().pos;
    q.from = Take().text;
    RETURN_IF_ERROR(ParseClauses(&q));
    if (At(TokenKind::kEnd)) return q;
    return Expected("WHERE, GROUP BY, HAVING, ORDER BY, LIMIT or end of query");
  }

 private:
  bool AtClauseWord() const {
    return (At(TokenKind::kIdent) || At(TokenKind::kKeyword)) && !Cur().quoted &&
           IsClauseWord(Lower(Cur().text));
  }

  Status ParseSelectList(SqlQuery* q) {
    if (At(TokenKind::kStar)) {
      Take();
      return Status::OK();
    }
    for (;;) {
      if (!AtValueStart()) return Expected("an expression in the select list");
      SelectItem item;
      item.pos = Cur().pos;
      ASSIGN_OR_RETURN(item.expr, ParseExpr());
      item.name = item.expr->IsField() ? item.expr->name : SourceText(*item.expr);
      const bool as = AtKeyword("as");
      if (as) Take();
      if ((AtName() && !AtClauseWord()) || At(TokenKind::kString)) {
        item.name = Take().text;
      } else if (as) {
        return Expected("a name after AS");
      }
      q->items.push_back(std::move(item));
      if (!At(TokenKind::kComma)) return Status::OK();
      Take();
    }
  }

  Status ParseClauses(SqlQuery* q) {
    if (AtWord("where")) {
      q->where_pos = Take().pos;
      ASSIGN_OR_RETURN(q->where, ParseExpr());
    }
    if (AtWord("group")) {
      Take();
      if (!AtKeyword("by")) return Expected("BY after GROUP");
      Take();
      ASSIGN_OR_RETURN(q->group, ParseExprList("GROUP BY"));
    }
    if (AtWord("having")) {
      q->having_pos = Take().pos;
      ASSIGN_OR_RETURN(q->having, ParseExpr());
    }
    if (AtWord("order")) {
      q->order_pos = Take().pos;
      if (!AtKeyword("by")) return Expected("BY after ORDER");
      Take();
      RETURN_IF_ERROR(ParseOrder(q));
    }
    if (AtWord("limit")) return ParseLimit(q);
    return Status::OK();
  }

  Result<std::vector<SelectItem>> ParseExprList(std::string_view after) {
    std::vector<SelectItem> out;
    for (;;) {
      if (!AtValueStart()) return Expected("an expression after " + std::string(after));
      SelectItem item;
      item.pos = Cur().pos;
      ASSIGN_OR_RETURN(item.expr, ParseExpr());
      item.name = item.expr->IsField() ? item.expr->name : SourceText(*item.expr);
      out.push_back(std::move(item));
      if (!At(TokenKind::kComma)) return out;
      Take();
    }
  }

  Status ParseOrder(SqlQuery* q) {
    for (;;) {
      if (!AtValueStart()) return Expected("an expression after ORDER BY");
      SortItem key;
      key.pos = Cur().pos;
      ASSIGN_OR_RETURN(key.expr, ParseExpr());
      key.name = key.expr->IsField() ? key.expr->name : SourceText(*key.expr);
      if (AtKeyword("asc") || AtKeyword("desc")) key.desc = Take().text == "desc";
      q->order.push_back(std::move(key));
      if (!At(TokenKind::kComma)) return Status::OK();
      Take();
    }
  }

  Status ParseLimit(SqlQuery* q) {
    q->limit_pos = Take().pos;
    const Token& t = Cur();
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (t.kind != TokenKind::kNumber || ec != std::errc() || p != t.text.data() + t.text.size() ||
        n == 0) {
      return Expected("a positive integer after LIMIT");
    }
    Take();
    q->limit = n;
    return Status::OK();
  }
};

bool HasAggregate(const Expr& e) {
  if (e.kind == ExprKind::kCall && FindAggregate(e.name) != nullptr) return true;
  for (const ExprPtr& a : e.args)
    if (HasAggregate(*a)) return true;
  return false;
}

// Replaces subexpressions whose text is a known column's (a select item or group key)
// with a reference to that column.
void ReplaceByText(const std::map<std::string, std::string>& columns, ExprPtr* e) {
  auto it = columns.find(ExprToString(**e));
  if (it != columns.end() && !((*e)->IsField() && (*e)->name == it->second)) {
    ExprPtr field = MakeField(it->second, (*e)->pos);
    field->begin = (*e)->begin;
    field->end = (*e)->end;
    *e = std::move(field);
    return;
  }
  for (ExprPtr& a : (*e)->args) ReplaceByText(columns, &a);
}

// Aggregates left in HAVING / ORDER BY after ReplaceByText become hidden stats items,
// named by their text (which the planner then resolves).
void CollectHiddenAggregates(const Expr& e, std::map<std::string, std::string>* columns,
                             Command* stats) {
  if (e.kind == ExprKind::kCall && FindAggregate(e.name) != nullptr) {
    const std::string text = ExprToString(e);
    if (columns->emplace(text, text).second) {
      stats->items.push_back(SelectItem{CloneExpr(e), text, e.pos});
    }
    return;
  }
  for (const ExprPtr& a : e.args) CollectHiddenAggregates(*a, columns, stats);
}

// `ORDER BY 2` / `GROUP BY 1`: a select item by position (1-based).
Status ResolvePosition(const std::vector<SelectItem>& items, ExprPtr* e) {
  const Expr& x = **e;
  if (!x.IsLiteral() || x.literal.type() != Type::kInt) return Status::OK();
  const int64_t k = std::get<int64_t>(x.literal.v);
  if (k < 1 || k > static_cast<int64_t>(items.size())) {
    return ErrorAt(x.pos, "position " + std::to_string(k) + " is not in the select list (1 to " +
                              std::to_string(items.size()) + ")");
  }
  ExprPtr copy = CloneExpr(*items[static_cast<size_t>(k - 1)].expr);
  copy->pos = x.pos;
  *e = std::move(copy);
  return Status::OK();
}

Command MakeCommand(Command::Kind kind, SourcePos pos) {
  Command c;
  c.kind = kind;
  c.pos = pos;
  return c;
}

// GROUP BY / aggregates: stats, then HAVING as a filter, then the select list as display.
Status AddAggregation(SqlQuery& q, QueryAst* ast) {
  Command stats = MakeCommand(Command::Kind::kStats, q.pos);
  std::map<std::string, std::string> columns;  // canonical text -> column name
  for (SelectItem& key : q.group) {
    for (const SelectItem& item : q.items) {
      if (!HasAggregate(*item.expr) && ExprToString(*item.expr) == ExprToString(*key.expr)) {
        key.name = item.name;
      }
    }
    columns[ExprToString(*key.expr)] = key.name;
    columns[key.name] = key.name;
    stats.group.push_back(std::move(key));
  }
  Command display = MakeCommand(Command::Kind::kDisplay, q.pos);
  for (SelectItem& item : q.items) {
    display.items.push_back(SelectItem{MakeField(item.name, item.pos), item.name, item.pos});
    const std::string text = ExprToString(*item.expr);
    if (!HasAggregate(*item.expr)) {
      if (columns.contains(text)) continue;
      return ErrorAt(item.pos, "'" + item.name +
                                   "' must appear in GROUP BY or be used in an aggregate function");
    }
    columns[text] = item.name;
    stats.items.push_back(std::move(item));
  }
  if (q.having) ReplaceByText(columns, &q.having);
  for (SortItem& k : q.order) ReplaceByText(columns, &k.expr);
  if (q.having) CollectHiddenAggregates(*q.having, &columns, &stats);
  for (const SortItem& k : q.order) CollectHiddenAggregates(*k.expr, &columns, &stats);
  if (stats.items.empty()) {  // GROUP BY alone: the distinct keys
    stats.items.push_back(SelectItem{MakeCall("count", {}, q.pos), "#count", q.pos});
  }
  ast->commands.push_back(std::move(stats));
  if (q.having) {
    Command having = MakeCommand(Command::Kind::kFilter, q.having_pos);
    having.predicate = std::move(q.having);
    ast->commands.push_back(std::move(having));
  }
  ast->commands.push_back(std::move(display));
  return Status::OK();
}

Result<QueryAst> ToCommands(SqlQuery&& q) {
  for (SelectItem& g : q.group) {
    RETURN_IF_ERROR(ResolvePosition(q.items, &g.expr));
    g.name = g.expr->IsField() ? g.expr->name : g.name;
  }
  for (SortItem& k : q.order) RETURN_IF_ERROR(ResolvePosition(q.items, &k.expr));
  QueryAst ast;
  ast.default_time_order = false;
  Command source = MakeCommand(Command::Kind::kSource, q.from_pos);
  source.pattern = q.from;
  source.pattern_pos = q.from_pos;
  ast.commands.push_back(std::move(source));
  if (q.where) {
    Command filter = MakeCommand(Command::Kind::kFilter, q.where_pos);
    filter.predicate = std::move(q.where);
    ast.commands.push_back(std::move(filter));
  }
  bool aggregated = !q.group.empty();
  for (const SelectItem& item : q.items) aggregated = aggregated || HasAggregate(*item.expr);
  if (aggregated && q.items.empty()) {
    return ErrorAt(q.pos, "SELECT * cannot be used with GROUP BY; list the columns");
  }
  if (aggregated) {
    RETURN_IF_ERROR(AddAggregation(q, &ast));
  } else if (q.having) {
    return ErrorAt(q.having_pos, "HAVING needs GROUP BY or an aggregate in the select list");
  } else if (!q.items.empty()) {
    Command fields = MakeCommand(Command::Kind::kFields, q.pos);
    fields.items = std::move(q.items);
    ast.commands.push_back(std::move(fields));
  }
  if (!q.order.empty()) {
    Command sort = MakeCommand(Command::Kind::kSort, q.order_pos);
    sort.keys = std::move(q.order);
    ast.commands.push_back(std::move(sort));
  }
  if (q.limit > 0) {
    Command limit = MakeCommand(Command::Kind::kLimit, q.limit_pos);
    limit.limit = q.limit;
    ast.commands.push_back(std::move(limit));
  }
  return ast;
}

}  // namespace

bool IsSqlQuery(const std::vector<Token>& tokens) {
  const Token& t = tokens.front();
  return t.kind == TokenKind::kIdent && !t.quoted && Lower(t.text) == "select";
}

Result<QueryAst> ParseSql(std::string_view text, std::vector<Token> tokens) {
  ASSIGN_OR_RETURN(SqlQuery q, SqlParser(text, std::move(tokens)).Run());
  return ToCommands(std::move(q));
}

}  // namespace vigil::query
