#include "query/plan.h"

#include <cstdio>
#include <limits>

namespace vigil::query {
namespace {

std::string TimeText(int64_t ns) {
  if (ns == std::numeric_limits<int64_t>::min()) return "-inf";
  if (ns == std::numeric_limits<int64_t>::max()) return "+inf";
  return std::to_string(ns);
}

const char* PruneOpText(PrunePredicate::Op op) {
  switch (op) {
    case PrunePredicate::Op::kEq:
      return "=";
    case PrunePredicate::Op::kLt:
      return "<";
    case PrunePredicate::Op::kLe:
      return "<=";
    case PrunePredicate::Op::kGt:
      return ">";
    case PrunePredicate::Op::kGe:
      return ">=";
    case PrunePredicate::Op::kToken:
      return "has token";
    case PrunePredicate::Op::kContains:
      return "contains";
  }
  return "?";
}

// Built with append() throughout: `"x" + std::string` trips GCC 12's -Wrestrict.
std::string ScanText(const ScanSpec& s) {
  std::string out = "Scan [";
  out.append(TimeText(s.min_ts)).append(", ").append(TimeText(s.max_ts)).append("] columns=");
  if (s.columns.empty()) out.append("*");
  for (size_t i = 0; i < s.columns.size(); ++i) {
    if (i > 0) out.append(",");
    out.append(QuoteName(s.columns[i]));
  }
  for (const PrunePredicate& p : s.predicates) {
    out.append(" prune(").append(QuoteName(p.column)).append(" ").append(PruneOpText(p.op));
    out.append(" ").append(LiteralToString(p.literal)).append(")");
  }
  return out;
}

std::string PlanOpText(const PlanOp& op) {
  std::string out;
  switch (op.kind) {
    case PlanOp::Kind::kFilter:
      out.append("Filter ").append(ExprToString(*op.predicate));
      break;
    case PlanOp::Kind::kProject:
      out.append("Project");
      for (const ProjectItem& it : op.items) {
        out.append(" ").append(QuoteName(it.name)).append("=").append(ExprToString(*it.expr));
      }
      break;
    case PlanOp::Kind::kSort:
      out.append(op.limit ? "TopN " + std::to_string(*op.limit) : std::string("Sort"));
      for (size_t i = 0; i < op.keys.size(); ++i) {
        out.append(i > 0 ? ", " : " ").append(QuoteName(op.keys[i].name));
        out.append(op.keys[i].desc ? " desc" : " asc");
      }
      break;
    case PlanOp::Kind::kLimit:
      out.append("Limit ").append(std::to_string(op.limit.value_or(0)));
      break;
    case PlanOp::Kind::kAggregate:
      out.append("Aggregate");
      for (const AggregateItem& a : op.aggs) {
        out.append(" ").append(QuoteName(a.name)).append("=").append(a.func).append("(");
        if (a.arg) out.append(ExprToString(*a.arg));
        if (a.fraction > 0) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.6g", a.fraction);
          out.append(", ").append(buf);
        }
        out.append(")");
      }
      for (size_t i = 0; i < op.items.size(); ++i) {
        out.append(i > 0 ? ", " : " by ").append(QuoteName(op.items[i].name)).append("=");
        out.append(ExprToString(*op.items[i].expr));
      }
      break;
    case PlanOp::Kind::kParse:
      out.append("Parse ").append(ExprToString(*op.items[0].expr)).append(" ");
      out.append(ExprToString(*op.regex)).append(" ->");
      for (const std::string& n : op.names) out.append(" ").append(n.empty() ? "_" : QuoteName(n));
      break;
    case PlanOp::Kind::kDedup:
      out.append("Dedup");
      for (size_t i = 0; i < op.names.size(); ++i) {
        out.append(i > 0 ? ", " : " ").append(QuoteName(op.names[i]));
      }
      break;
  }
  return out;
}

}  // namespace

std::string Plan::ToString() const {
  std::string out = table ? "Table " + table_name + " " + ScanText(scan) : ScanText(scan);
  out.push_back('\n');
  for (const PlanOp& op : ops) out.append(PlanOpText(op)).push_back('\n');
  out.append("Output");
  for (size_t i = 0; i < output.size(); ++i) {
    out.append(i > 0 ? ", " : " ").append(QuoteName(output[i].name));
  }
  return out;
}

}  // namespace vigil::query
