// Settings of a cron request (a check-in, a monitor PUT) gathered from its query string
// and a JSON object body, as text: numbers keep their JSON spelling.
#pragma once

#include <map>
#include <string>

#include "core/status.h"
#include "server/http_message.h"

namespace vigil::cron {

using Params = std::map<std::string, std::string>;

// The members of a JSON object body. InvalidArgument for malformed JSON, a body that is
// not an object, or a member that is an object or array. null members are left out.
Result<Params> ParseJsonParams(std::string_view body);

// Query parameters, then the JSON body when the request has one (Content-Type JSON, or
// a body that starts with '{'); a key given twice is an InvalidArgument. A body that is
// not JSON is returned in *text (nullptr: such a body is an error).
Result<Params> RequestParams(const HttpRequest& request, std::string* text);

}  // namespace vigil::cron
