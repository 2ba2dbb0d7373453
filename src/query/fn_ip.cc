// IP address functions, on String values (inet_pton syntax).
#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "query/fn_kernels.h"
#include "query/fn_util.h"

namespace vigil::query {
namespace {

struct Ip {
  int family = 0;  // AF_INET, AF_INET6, or 0 when not an address
  std::array<uint8_t, 16> bytes{};
};

Ip ParseIp(std::string_view s) {
  Ip ip;
  char buf[64];
  if (s.size() >= sizeof buf) return ip;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) {
    ip.family = AF_INET;
  } else if (inet_pton(AF_INET6, buf, ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
  }
  return ip;
}

struct Subnet {
  Ip base;
  int bits = -1;
};

// "10.0.0.0/8", "2001:db8::/32"; bits = -1 when malformed.
Subnet ParseSubnet(std::string_view s) {
  Subnet net;
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return net;
  net.base = ParseIp(s.substr(0, slash));
  const std::string_view b = s.substr(slash + 1);
  int bits = 0;
  for (char c : b) {
    if (c < '0' || c > '9' || bits > 128) return net;
    bits = bits * 10 + (c - '0');
  }
  const int max = net.base.family == AF_INET ? 32 : 128;
  if (net.base.family != 0 && !b.empty() && bits <= max) net.bits = bits;
  return net;
}

bool InSubnet(const Ip& ip, const Subnet& net) {
  if (ip.family != net.base.family || net.bits < 0) return false;
  const int full = net.bits / 8, rest = net.bits % 8;
  if (std::memcmp(ip.bytes.data(), net.base.bytes.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (ip.bytes[static_cast<size_t>(full)] & mask) == (net.base.bytes[static_cast<size_t>(full)] & mask);
}

Vector ValidIp(Evaluator& ev, const Expr& call, const Sel& sel, int family) {
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type != Type::kString) return out.PutBool(row, false);
    const Ip ip = ParseIp(a[0].s);
    out.PutBool(row, family == 0 ? ip.family != 0 : ip.family == family);
  });
}

Vector IpInSubnet(Evaluator& ev, const Expr& call, const Sel& sel, int family) {
  const Subnet net = ParseSubnet(std::get<std::string>(call.args[1]->literal.v));
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type != Type::kString) return out.PutBool(row, false);
    const Ip ip = ParseIp(a[0].s);
    out.PutBool(row, (family == 0 || ip.family == family) && InSubnet(ip, net));
  });
}

}  // namespace

Vector FnIsValidIp(Evaluator& ev, const Expr& call, const Sel& sel) {
  return ValidIp(ev, call, sel, 0);
}
Vector FnIsValidIpV4(Evaluator& ev, const Expr& call, const Sel& sel) {
  return ValidIp(ev, call, sel, AF_INET);
}
Vector FnIsValidIpV6(Evaluator& ev, const Expr& call, const Sel& sel) {
  return ValidIp(ev, call, sel, AF_INET6);
}
Vector FnIsIpInSubnet(Evaluator& ev, const Expr& call, const Sel& sel) {
  return IpInSubnet(ev, call, sel, 0);
}
Vector FnIsIpV4InSubnet(Evaluator& ev, const Expr& call, const Sel& sel) {
  return IpInSubnet(ev, call, sel, AF_INET);
}
Vector FnIsIpV6InSubnet(Evaluator& ev, const Expr& call, const Sel& sel) {
  return IpInSubnet(ev, call, sel, AF_INET6);
}

// The subnet must be a literal "address/bits", checked once when the query is bound.
Status CheckSubnet(Expr& call) {
  const Expr& a = *call.args[1];
  if (!a.IsLiteral() || a.literal.type() != Type::kString ||
      ParseSubnet(std::get<std::string>(a.literal.v)).bits < 0) {
    return ErrorAt(a.pos, call.name + "() expects a subnet literal such as \"10.0.0.0/8\"");
  }
  return Status::OK();
}

}  // namespace vigil::query
