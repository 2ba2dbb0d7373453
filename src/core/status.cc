#include "core/status.h"

#include <cerrno>
#include <cstring>

namespace vigil {

const char* CodeName(Code c) {
  switch (c) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kNotFound: return "NotFound";
    case Code::kCorruption: return "Corruption";
    case Code::kIOError: return "IOError";
    case Code::kResourceExhausted: return "ResourceExhausted";
    case Code::kUnauthenticated: return "Unauthenticated";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kUnavailable: return "Unavailable";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kUnsupported: return "Unsupported";
  }
  return "Unknown";
}

Status Status::FromErrno(const std::string& what) {
  return IOError(what + ": " + std::strerror(errno));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + msg_;
}

}  // namespace vigil
