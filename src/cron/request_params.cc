#include "cron/request_params.h"

#include <simdjson.h>

#include "core/json_render.h"

namespace vigil::cron {

namespace {

bool LooksLikeJson(const HttpRequest& req) {
  auto ct = req.Header("Content-Type");
  if (ct && ct->find("json") != std::string_view::npos) return true;
  size_t i = req.body.find_first_not_of(" \t\r\n");
  return i != std::string::npos && req.body[i] == '{';
}

Status Add(Params* out, const std::string& key, std::string value) {
  if (!out->emplace(key, std::move(value)).second) {
    return Status::InvalidArgument("'" + key + "' is given twice (query string and body)");
  }
  return Status::OK();
}

}  // namespace

Result<Params> ParseJsonParams(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("the body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return Status::InvalidArgument("the body must be a JSON object");
  Params out;
  for (auto field : obj) {
    const std::string key(field.key);
    std::string text;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        text = std::string(std::string_view(field.value));
        break;
      case simdjson::dom::element_type::INT64:
        text = std::to_string(int64_t(field.value));
        break;
      case simdjson::dom::element_type::UINT64:
        text = std::to_string(uint64_t(field.value));
        break;
      case simdjson::dom::element_type::DOUBLE:
        AppendJsonDouble(double(field.value), &text);
        break;
      case simdjson::dom::element_type::BOOL:
        text = bool(field.value) ? "true" : "false";
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        continue;
      default:
        return Status::InvalidArgument("'" + key + "' must be a string or a number");
    }
    if (out.count(key) != 0) return Status::InvalidArgument("'" + key + "' is given twice");
    out.emplace(key, std::move(text));
  }
  return out;
}

Result<Params> RequestParams(const HttpRequest& request, std::string* text) {
  Params out;
  for (const auto& [k, v] : request.query) RETURN_IF_ERROR(Add(&out, k, v));
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  if (!LooksLikeJson(request)) {
    if (text == nullptr) return Status::InvalidArgument("the body must be a JSON object");
    *text = request.body;
    return out;
  }
  ASSIGN_OR_RETURN(Params body, ParseJsonParams(request.body));
  for (auto& [k, v] : body) RETURN_IF_ERROR(Add(&out, k, std::move(v)));
  return out;
}

}  // namespace vigil::cron
