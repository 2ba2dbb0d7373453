// Translation of `parse` (Translator in translator.h): a glob pattern becomes a regex,
// a regex's named groups name the parsed fields.
#include <re2/re2.h>

#include "query/translator.h"

namespace vigil::query {
namespace {

// "user=* action=*" -> "(?s)user=(.*?) action=(.*)": literal text quoted, each `*` a
// lazy group except a final one, which takes the rest of the value.
std::string GlobToRegex(const std::string& glob, int* stars) {
  std::string out = "(?s)";
  size_t start = 0;
  *stars = 0;
  for (size_t i = 0; i <= glob.size(); ++i) {
    if (i < glob.size() && glob[i] != '*') continue;
    out += RE2::QuoteMeta(glob.substr(start, i - start));
    if (i < glob.size()) {
      out += i + 1 == glob.size() ? "(.*)" : "(.*?)";
      ++*stars;
    }
    start = i + 1;
  }
  return out;
}

// RE2 spells named groups (?P<name>...); Logs Insights writes (?<name>...).
std::string NamedGroupsForRe2(const std::string& re) {
  std::string out;
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\' && i + 1 < re.size()) {
      out += re.substr(i++, 2);
      continue;
    }
    out += re[i];
    if (re.compare(i, 3, "(?<") == 0 && i + 3 < re.size() && re[i + 3] != '=' && re[i + 3] != '!') {
      out += "?P<";
      i += 2;
    }
  }
  return out;
}

}  // namespace

Status Translator::Parse(Command& cmd, Plan* plan) {
  ResolveStatsNames(&cmd.predicate);
  PlanOp op;
  op.kind = PlanOp::Kind::kParse;
  op.pos = cmd.pos;
  int groups = 0;
  const std::string pattern =
      cmd.is_regex ? NamedGroupsForRe2(cmd.pattern) : GlobToRegex(cmd.pattern, &groups);
  op.regex = MakeRegex(pattern, cmd.pattern_pos);
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return ErrorAt(cmd.pattern_pos, (cmd.is_regex ? "invalid regular expression /" + cmd.pattern + "/: "
                                                  : "invalid pattern: ") +
                                        re->error());
  }
  op.regex->regex = std::move(re);
  if (cmd.is_regex) groups = op.regex->regex->NumberOfCapturingGroups();
  op.names = cmd.names;
  if (cmd.is_regex && op.names.empty()) {
    op.names.assign(static_cast<size_t>(groups), "");
    for (const auto& [name, index] : op.regex->regex->NamedCapturingGroups()) {
      op.names[static_cast<size_t>(index - 1)] = name;
    }
    if (op.regex->regex->NamedCapturingGroups().empty()) {
      return ErrorAt(cmd.pattern_pos, "the regex names no fields: use (?<name>...) groups or 'as'");
    }
  }
  if (static_cast<int>(op.names.size()) != groups) {
    return ErrorAt(cmd.pattern_pos, "the pattern has " + std::to_string(groups) +
                                        (cmd.is_regex ? " groups" : " '*'") + " but " +
                                        std::to_string(op.names.size()) + " names follow 'as'");
  }
  for (const std::string& n : op.names) {
    if (n.empty()) continue;
    time_[n] = false;
    columns_.insert(n);
  }
  op.items.push_back(ProjectItem{"", std::move(cmd.predicate)});
  plan->ops.push_back(std::move(op));
  return Status::OK();
}

}  // namespace vigil::query
