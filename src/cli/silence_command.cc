#include "cli/silence_command.h"

#include <simdjson.h>

#include <cstdio>

#include "cli/http_client.h"
#include "server/json_writer.h"

namespace vigil {

namespace {

namespace dom = simdjson::dom;

// Sends one API request; the answer's body when it is 2xx, else the server's message.
Result<std::string> Call(const SilenceCommandOptions& o, const std::string& method, const std::string& path,
                         const std::string& body) {
  ASSIGN_OR_RETURN(auto client, HttpClient::Create(o.server));
  std::vector<std::pair<std::string, std::string>> headers;
  if (!o.key.empty()) headers.emplace_back("Authorization", "Bearer " + o.key);
  ASSIGN_OR_RETURN(HttpReply reply,
                   client->Send(method, path, body.empty() ? "" : "application/json", body, headers));
  if (reply.status >= 200 && reply.status < 300) return std::move(reply.body);
  dom::parser parser;
  std::string_view msg;
  if (parser.parse(reply.body)["error"]["message"].get(msg) == simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string(msg));
  }
  return Status::InvalidArgument("server answered HTTP " + std::to_string(reply.status));
}

int Fail(const Status& st) {
  std::fprintf(stderr, "silence: %s\n", st.message().c_str());
  return st.code() == Code::kUnavailable ? 2 : 1;
}

void OptionalField(JsonWriter& w, const char* key, const std::string& v) {
  if (v.empty()) return;
  w.Key(key);
  w.String(v);
}

std::string AddBody(const SilenceCommandOptions& o) {
  JsonWriter w;
  w.BeginObject();
  w.Key("matchers");
  w.BeginArray();
  for (const std::string& m : o.matchers) w.String(m);
  w.EndArray();
  OptionalField(w, "starts_at", o.starts_at);
  OptionalField(w, "ends_at", o.ends_at);
  OptionalField(w, "duration", o.duration);
  OptionalField(w, "author", o.author);
  OptionalField(w, "comment", o.comment);
  if (!o.window_start.empty() || !o.window_end.empty() || !o.days.empty()) {
    w.Key("recurring");
    w.BeginObject();
    w.Key("days");
    w.BeginArray();
    for (const std::string& d : o.days) w.String(d);
    w.EndArray();
    OptionalField(w, "start", o.window_start);
    OptionalField(w, "end", o.window_end);
    OptionalField(w, "time_zone", o.time_zone);
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

int RunAdd(const SilenceCommandOptions& o) {
  Result<std::string> body = Call(o, "POST", "/api/v1/silences", AddBody(o));
  if (!body.ok()) return Fail(body.status());
  dom::parser parser;
  std::string_view id;
  if (parser.parse(*body)["id"].get(id) != simdjson::SUCCESS) {
    return Fail(Status::InvalidArgument("unexpected answer from the server"));
  }
  std::printf("%.*s\n", static_cast<int>(id.size()), id.data());
  return 0;
}

Cell TextCell(dom::element e) {
  if (e.is_null()) return {};
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return {Cell::Kind::kString, std::string(s)};
  dom::array items;
  if (e.get(items) == simdjson::SUCCESS) {
    std::string joined;
    for (dom::element item : items) {
      if (item.get_string().get(s) != simdjson::SUCCESS) continue;
      joined += (joined.empty() ? "" : ", ") + std::string(s);
    }
    return {Cell::Kind::kString, joined};
  }
  if (e.is_object()) {
    // A recurring window: "mon,tue 02:00-03:00 Europe/Berlin".
    std::string days;
    std::string_view start, end, tz;
    dom::array list;
    if (e["days"].get(list) != simdjson::SUCCESS) return {};
    for (dom::element d : list) {
      std::string_view day;
      if (d.get(day) == simdjson::SUCCESS) days += (days.empty() ? "" : ",") + std::string(day);
    }
    if (e["start"].get(start) || e["end"].get(end) || e["time_zone"].get(tz)) return {};
    return {Cell::Kind::kString, (days.empty() ? "daily" : days) + " " + std::string(start) + "-" +
                                     std::string(end) + " " + std::string(tz)};
  }
  return {Cell::Kind::kRaw, simdjson::minify(e)};
}

int RunList(const SilenceCommandOptions& o) {
  Result<std::string> body = Call(o, "GET", "/api/v1/silences" + (o.state.empty() ? "" : "?state=" + o.state), "");
  if (!body.ok()) return Fail(body.status());
  ResultTable t;
  t.columns = {"id", "state", "matchers", "starts_at", "ends_at", "recurring", "author", "comment"};
  dom::parser parser;
  dom::array list;
  if (parser.parse(*body)["silences"].get(list) != simdjson::SUCCESS) {
    return Fail(Status::InvalidArgument("unexpected answer from the server"));
  }
  for (dom::element s : list) {
    std::vector<Cell> row;
    for (const std::string& c : t.columns) {
      dom::element v;
      row.push_back(s[c].get(v) == simdjson::SUCCESS ? TextCell(v) : Cell{});
    }
    t.rows.push_back(std::move(row));
  }
  PrintResultTable(t, o.format, stdout);
  return 0;
}

int RunExpire(const SilenceCommandOptions& o) {
  Result<std::string> body = Call(o, "DELETE", "/api/v1/silences/" + o.id, "");
  if (!body.ok()) return Fail(body.status());
  std::printf("expired %s\n", o.id.c_str());
  return 0;
}

}  // namespace

void AddSilenceCommand(CLI::App& app, SilenceCommandOptions& o, int& rc) {
  auto* cmd = app.add_subcommand("silence", "Add, list and expire silences of a server");
  cmd->require_subcommand(1);
  cmd->add_option("--server", o.server, "Server URL")->capture_default_str();
  cmd->add_option("--key", o.key, "API key (admin for add/expire)")->envname("VIGIL_API_KEY");

  auto* add = cmd->add_subcommand("add", "Mute alerts matching every MATCHER (name=value, name!=value, "
                                         "name=~regex, name!~regex)");
  add->add_option("matchers", o.matchers, "Label matchers")->required();
  add->add_option("--duration,-d", o.duration, "How long, e.g. 2h (or --ends-at)");
  add->add_option("--starts-at", o.starts_at, "Start: ISO 8601, now, +1h ... (default now)");
  add->add_option("--ends-at", o.ends_at, "End: ISO 8601, +2h ...");
  add->add_option("--author", o.author, "Who (default: the API key's name)");
  add->add_option("--comment,-c", o.comment, "Why");
  add->add_option("--days", o.days, "Recurring: weekdays (mon,tue,...; default every day)")->delimiter(',');
  add->add_option("--from", o.window_start, "Recurring: daily window start HH:MM");
  add->add_option("--to", o.window_end, "Recurring: daily window end HH:MM");
  add->add_option("--time-zone", o.time_zone, "Recurring: time zone of the window (default UTC)");
  add->fallthrough();
  add->callback([&] { rc = RunAdd(o); });

  auto* list = cmd->add_subcommand("list", "List silences");
  list->add_option("--state", o.state, "Only active, pending or expired ones")
      ->check(CLI::IsMember({"active", "pending", "expired"}));
  list->add_option_function<std::string>(
          "--format,-f",
          [&](const std::string& v) {
            o.format = v == "json" ? OutputFormat::kJson : v == "csv" ? OutputFormat::kCsv : OutputFormat::kTable;
          },
          "Output: table, json (JSON lines) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  list->fallthrough();
  list->callback([&] { rc = RunList(o); });

  auto* expire = cmd->add_subcommand("expire", "End a silence now");
  expire->add_option("id", o.id, "The silence's id")->required();
  expire->fallthrough();
  expire->callback([&] { rc = RunExpire(o); });
}

}  // namespace vigil
