#include "cli/result_table.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "core/json_render.h"
#include "core/timestamp.h"

namespace vigil {

namespace {

Cell CellOf(const Value& v, bool is_time) {
  Cell c;
  switch (v.type()) {
    case Type::kNull: break;
    case Type::kBool:
      c = {Cell::Kind::kRaw, std::get<bool>(v.v) ? "true" : "false"};
      break;
    case Type::kInt: {
      int64_t i = std::get<int64_t>(v.v);
      c = is_time ? Cell{Cell::Kind::kString, FormatIsoMillis(i)}
                  : Cell{Cell::Kind::kRaw, std::to_string(i)};
      break;
    }
    case Type::kFloat: {
      std::string s;
      AppendJsonDouble(std::get<double>(v.v), &s);
      c = {s == "null" ? Cell::Kind::kNull : Cell::Kind::kRaw, s};
      break;
    }
    case Type::kString: c = {Cell::Kind::kString, std::get<std::string>(v.v)}; break;
  }
  return c;
}

std::string Summary(size_t rows, uint64_t scanned, std::string_view start, std::string_view end,
                    double ms) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%zu rows, %llu records scanned, %.*s .. %.*s, %.1f ms", rows,
                static_cast<unsigned long long>(scanned), static_cast<int>(start.size()),
                start.data(), static_cast<int>(end.size()), end.data(), ms);
  return buf;
}

Cell CellFromJson(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE: return {};
    case element_type::STRING: return {Cell::Kind::kString, std::string(e.get_string().value())};
    default: return {Cell::Kind::kRaw, simdjson::minify(e)};
  }
}

std::string CsvQuote(const Cell& c) {
  if (c.kind == Cell::Kind::kNull) return "";
  if (c.text.find_first_of(",\"\r\n") == std::string::npos) return c.text;
  std::string s = "\"";
  for (char ch : c.text) {
    if (ch == '"') s.push_back('"');
    s.push_back(ch);
  }
  return s + "\"";
}

// Cell text for the aligned table: control characters would break the layout.
std::string TableText(const Cell& c) {
  if (c.kind == Cell::Kind::kNull) return "";
  std::string s = c.text;
  for (char& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  return s;
}

void PrintAligned(const ResultTable& t, std::FILE* out) {
  std::vector<size_t> width(t.columns.size());
  constexpr size_t kMaxWidth = 120;
  for (size_t i = 0; i < t.columns.size(); ++i) width[i] = t.columns[i].size();
  for (const auto& r : t.rows)
    for (size_t i = 0; i < r.size(); ++i)
      width[i] = std::min(kMaxWidth, std::max(width[i], TableText(r[i]).size()));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string c = cells[i];
      bool last = i + 1 == cells.size();
      if (!last && c.size() > width[i]) c = c.substr(0, width[i] - 1) + "~";
      s += c;
      if (!last) s.append(width[i] - c.size() + 2, ' ');
    }
    std::fprintf(out, "%s\n", s.c_str());
  };
  line(t.columns);
  for (const auto& r : t.rows) {
    std::vector<std::string> cells;
    for (const auto& c : r) cells.push_back(TableText(c));
    line(cells);
  }
}

}  // namespace

ResultTable TableFromResult(const QueryResult& r) {
  ResultTable t;
  for (const auto& c : r.columns) t.columns.push_back(c.name);
  for (const auto& row : r.rows) {
    std::vector<Cell> cells;
    for (size_t i = 0; i < row.size(); ++i) cells.push_back(CellOf(row[i], r.columns[i].is_time));
    t.rows.push_back(std::move(cells));
  }
  t.summary = Summary(t.rows.size(), r.stats.scan.rows_scanned, FormatIsoMillis(r.stats.start_ns),
                      FormatIsoMillis(r.stats.end_ns), r.stats.elapsed_ms);
  return t;
}

Result<ResultTable> TableFromJson(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return Status::Corruption("server answered with invalid JSON");
  ResultTable t;
  simdjson::dom::array cols, rows;
  if (doc["columns"].get(cols) || doc["rows"].get(rows))
    return Status::Corruption("server answer lacks columns/rows");
  for (auto c : cols) t.columns.emplace_back(std::string_view(c.get_string().value_unsafe()));
  for (auto r : rows) {
    std::vector<Cell> cells;
    for (auto v : r.get_array()) cells.push_back(CellFromJson(v));
    t.rows.push_back(std::move(cells));
  }
  simdjson::dom::element st;
  if (!doc["stats"].get(st)) {
    uint64_t scanned = 0;
    double ms = 0;
    std::string_view start, end;
    // Missing stats fields just leave their zero/empty defaults in the summary.
    if (st["records_scanned"].get(scanned)) scanned = 0;
    if (st["elapsed_ms"].get(ms)) ms = 0;
    if (st["start"].get(start)) start = {};
    if (st["end"].get(end)) end = {};
    t.summary = Summary(t.rows.size(), scanned, start, end, ms);
  }
  return t;
}

void PrintResultTable(const ResultTable& t, OutputFormat format, std::FILE* out) {
  switch (format) {
    case OutputFormat::kTable: PrintAligned(t, out); break;
    case OutputFormat::kCsv: {
      std::string s;
      for (size_t i = 0; i < t.columns.size(); ++i)
        s += (i ? "," : "") + CsvQuote({Cell::Kind::kString, t.columns[i]});
      std::fprintf(out, "%s\r\n", s.c_str());
      for (const auto& r : t.rows) {
        s.clear();
        for (size_t i = 0; i < r.size(); ++i) s += (i ? "," : "") + CsvQuote(r[i]);
        std::fprintf(out, "%s\r\n", s.c_str());
      }
      break;
    }
    case OutputFormat::kJson:
      for (const auto& r : t.rows) {
        std::string s = "{";
        for (size_t i = 0; i < r.size(); ++i) {
          if (i) s += ",";
          AppendJsonString(t.columns[i], &s);
          s += ":";
          if (r[i].kind == Cell::Kind::kNull) s += "null";
          else if (r[i].kind == Cell::Kind::kRaw) s += r[i].text;
          else AppendJsonString(r[i].text, &s);
        }
        std::fprintf(out, "%s}\n", s.c_str());
      }
      break;
  }
}

}  // namespace vigil
