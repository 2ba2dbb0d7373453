// Route templates: the URL of an outbound call with its variable parts replaced, so that
// calls to /v1/customers/cus_9fK2LmQ81xZpTw and /v1/customers/cus_Hq72MnBx1pLwRt count as
// one endpoint, /v1/customers/{id}, and endpoint lists do not grow with the data.
#pragma once

#include <string>
#include <string_view>

namespace vigil::health {

// The template of `url` (a full URL, a path, or a path with a query string):
//   - scheme and authority are dropped ("https://api.x.com/v1/a" -> "/v1/a"), as are the
//     query string and the fragment;
//   - each path segment that looks like an identifier becomes "{id}": a run of digits, a
//     UUID, a hex run of 8+ characters with a digit in it, a long random-looking token
//     (16+ characters of [A-Za-z0-9_-] mixing upper case, lower case and digits), an
//     email address, a digits-and-separators run with 4+ digits (a date, "2024-000123"),
//     and a word followed by '_' or '-' and 3+ digits ("case_12345");
//   - a segment "<id>.<ext>" keeps its extension ("123.json" -> "{id}.json");
//   - anything else is kept as written; an empty path is "/".
// A value with no '/' at all (a name such as "charges.create") is returned unchanged
// unless the whole value is an identifier. Pure; thread-safe.
std::string RouteTemplate(std::string_view url);

// Whether one path segment (no '/') is an identifier by the rules above.
bool IsIdSegment(std::string_view segment);

// The host of a full URL ("https://user@api.x.com:443/v1" -> "api.x.com"), or "" when
// `url` has no scheme.
std::string UrlHost(std::string_view url);

}  // namespace vigil::health
