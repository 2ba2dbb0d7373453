#include "cli/alarms_command.h"

#include <simdjson.h>

#include <cstdio>

#include "cli/http_client.h"

namespace vigil {

namespace {

namespace dom = simdjson::dom;

Cell CellOf(dom::element e) {
  std::string_view s;
  if (e.is_null()) return {};
  if (e.get_string().get(s) == simdjson::SUCCESS) return {Cell::Kind::kString, std::string(s)};
  return {Cell::Kind::kRaw, simdjson::minify(e)};
}

// GET `path`; the body of a 200 answer, else the server's error message.
Result<std::string> Fetch(const AlarmsCommandOptions& o, const std::string& path) {
  ASSIGN_OR_RETURN(auto client, HttpClient::Create(o.server));
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.key.empty()) headers.emplace_back("Authorization", "Bearer " + o.key);
  ASSIGN_OR_RETURN(HttpReply reply, client->Send("GET", path, "", "", headers));
  if (reply.status == 200) return std::move(reply.body);
  dom::parser p;
  dom::element doc;
  std::string_view msg;
  if (!p.parse(reply.body).get(doc) && !doc["error"]["message"].get(msg)) {
    return Status::InvalidArgument(std::string(msg));
  }
  return Status::InvalidArgument("server answered " + std::to_string(reply.status));
}

// Rows of the array `key` of `body`, one cell per field in `fields`.
Result<ResultTable> Table(const std::string& body, std::string_view key,
                          const std::vector<std::string>& fields) {
  dom::parser p;
  dom::element doc;
  dom::array items;
  if (p.parse(body).get(doc) || doc[key].get(items)) {
    return Status::InvalidArgument("unexpected answer from the server");
  }
  ResultTable t;
  t.columns = fields;
  for (dom::element item : items) {
    std::vector<Cell> row;
    for (const std::string& f : fields) {
      dom::element v;
      row.push_back(item[f].get(v) ? Cell{} : CellOf(v));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

int Finish(const Result<ResultTable>& t, OutputFormat format) {
  if (!t.ok()) {
    std::fprintf(stderr, "alarms: %s\n", t.status().message().c_str());
    return t.status().code() == Code::kUnavailable ? 2 : 1;
  }
  PrintResultTable(t.value(), format, stdout);
  return 0;
}

int RunList(const AlarmsCommandOptions& o) {
  Result<std::string> body = Fetch(o, "/api/v1/alarms");
  if (!body.ok()) return Finish(body.status(), o.format);
  return Finish(Table(body.value(), "alarms", {"alarm", "instance", "state", "value", "since"}), o.format);
}

int RunHistory(const AlarmsCommandOptions& o) {
  Result<std::string> body = Fetch(o, "/api/v1/alarms/" + o.name + "?limit=" + std::to_string(o.limit));
  if (!body.ok()) return Finish(body.status(), o.format);
  if (o.format == OutputFormat::kTable) {
    Result<ResultTable> inst = Table(body.value(), "instances", {"instance", "state", "value", "since"});
    if (int rc = Finish(inst, o.format); rc != 0) return rc;
    std::printf("\n");
  }
  return Finish(Table(body.value(), "history", {"at", "instance", "event", "state", "previous", "value", "detail"}),
                o.format);
}

void AddFormat(CLI::App* cmd, AlarmsCommandOptions& o) {
  cmd->add_option_function<std::string>(
         "--format,-f",
         [&](const std::string& v) {
           o.format = v == "json" ? OutputFormat::kJson : v == "csv" ? OutputFormat::kCsv : OutputFormat::kTable;
         },
         "Output: table, json (JSON lines) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
}

}  // namespace

void AddAlarmsCommand(CLI::App& app, AlarmsCommandOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("alarms", "List alarms and their states (vigil alarms history NAME: one alarm)");
  cmd->add_option("--server", o.server, "Server URL")->capture_default_str();
  cmd->add_option("--key", o.key, "API key")->envname("VIGIL_API_KEY");
  AddFormat(cmd, o);
  auto* history = cmd->add_subcommand("history", "One alarm: its instances and state history");
  history->add_option("name", o.name, "The alarm (rule) name")->required();
  history->add_option("--limit", o.limit, "History entries")->capture_default_str()->check(CLI::Range(1, 5000));
  history->fallthrough();
  history->callback([&] { rc = RunHistory(o); });
  cmd->callback([&, cmd, history] {
    if (history->parsed()) return;
    rc = RunList(o);
  });
}

}  // namespace vigil
