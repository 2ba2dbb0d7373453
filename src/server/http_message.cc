#include "server/http_message.h"

#include <strings.h>

#include "server/json_writer.h"

namespace vigil {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      const bool complete = i + 2 < in.size();
      int hi = complete ? HexDigit(in[i + 1]) : -1;
      int lo = complete ? HexDigit(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("malformed percent escape in request target at byte " +
                                       std::to_string(i));
      }
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return Status::OK();
}

}  // namespace

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(const Status& status) {
  return Error(HttpStatusFor(status.code()), CodeName(status.code()), status.message());
}

HttpResponse HttpResponse::Error(int http_status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String(code);
  w.Key("message");
  w.String(message);
  w.EndObject();
  w.EndObject();
  return Json(http_status, w.Take());
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kResourceExhausted:
      return 413;
    case Code::kUnsupported:
      return 415;
    case Code::kUnavailable:
      return 503;
    case Code::kCorruption:
    case Code::kIOError:
      return 500;
  }
  return 500;
}

Status ParseTarget(std::string_view target, std::string* path,
                   std::vector<std::pair<std::string, std::string>>* query) {
  size_t q = target.find('?');
  RETURN_IF_ERROR(PercentDecode(target.substr(0, q), false, path));
  query->clear();
  if (q == std::string_view::npos) return Status::OK();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    RETURN_IF_ERROR(PercentDecode(pair.substr(0, eq), true, &key));
    if (eq != std::string_view::npos)
      RETURN_IF_ERROR(PercentDecode(pair.substr(eq + 1), true, &value));
    query->emplace_back(std::move(key), std::move(value));
  }
  return Status::OK();
}

}  // namespace vigil
