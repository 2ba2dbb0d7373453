#include "alert/series_reader.h"

#include "alert/template.h"

namespace vigil::alert {

namespace {

std::string LabelText(const Value& v) {
  switch (v.type()) {
    case Type::kBool: return std::get<bool>(v.v) ? "true" : "false";
    case Type::kInt: return std::to_string(std::get<int64_t>(v.v));
    case Type::kFloat: return FormatNumber(std::get<double>(v.v));
    case Type::kString: return std::get<std::string>(v.v);
    case Type::kNull: break;
  }
  return "";
}

bool Number(const Value& v, double* out) {
  switch (v.type()) {
    case Type::kBool: *out = std::get<bool>(v.v) ? 1 : 0; return true;
    case Type::kInt: *out = static_cast<double>(std::get<int64_t>(v.v)); return true;
    case Type::kFloat: *out = std::get<double>(v.v); return true;
    default: return false;
  }
}

void AppendEscaped(std::string_view s, std::string* out) {
  for (char c : s) {
    if (c == ',' || c == '=' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

}  // namespace

std::string InstanceId(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    AppendEscaped(k, &out);
    out += '=';
    AppendEscaped(v, &out);
  }
  return out;
}

Result<SeriesTable> ReadSeries(const QueryResult& result, bool binned) {
  const auto& cols = result.columns;
  if (cols.empty()) return Status::InvalidArgument("the query returned no columns");
  int value_col = static_cast<int>(cols.size()) - 1;
  int bin_col = -1;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == "value") value_col = static_cast<int>(i);
    if (cols[i].is_time && bin_col < 0) bin_col = static_cast<int>(i);
  }
  if (binned && bin_col < 0) {
    return Status::InvalidArgument("the query result has no bin() column; add `by bin(<period>)`");
  }
  if (value_col == bin_col) {
    return Status::InvalidArgument("the query's value is a time; name the number `as value`");
  }
  std::vector<int> keys;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (static_cast<int>(i) != value_col && !cols[i].is_time) keys.push_back(static_cast<int>(i));
  }
  SeriesTable out;
  out.grouped = !keys.empty();
  for (const auto& row : result.rows) {
    SeriesRow r;
    if (!Number(row[value_col], &r.value)) continue;
    if (binned) {
      const Value& b = row[bin_col];
      if (b.type() != Type::kInt) continue;
      r.bin = std::get<int64_t>(b.v);
    }
    for (int k : keys) r.labels[cols[k].name] = LabelText(row[k]);
    r.instance = InstanceId(r.labels);
    out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace vigil::alert
