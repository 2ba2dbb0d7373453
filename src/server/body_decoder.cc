#include "server/body_decoder.h"

#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace vigil {

namespace {

enum class Encoding { kIdentity, kGzip, kDeflate, kZstd, kUnknown };

Encoding Classify(std::string_view e) {
  while (!e.empty() && e.front() == ' ') e.remove_prefix(1);
  while (!e.empty() && e.back() == ' ') e.remove_suffix(1);
  auto is = [&](std::string_view name) {
    return e.size() == name.size() && strncasecmp(e.data(), name.data(), e.size()) == 0;
  };
  if (e.empty() || is("identity")) return Encoding::kIdentity;
  if (is("gzip") || is("x-gzip")) return Encoding::kGzip;
  if (is("deflate")) return Encoding::kDeflate;
  if (is("zstd")) return Encoding::kZstd;
  return Encoding::kUnknown;
}

Status TooLarge(size_t max_bytes) {
  return Status::ResourceExhausted("decompressed body exceeds the limit of " +
                                   std::to_string(max_bytes) + " bytes (max_body_bytes)");
}

// Makes room for more output: doubles `out` up to max_bytes + 1, so that producing one
// byte past the limit is how the limit is detected. Returns false when already there.
bool Grow(std::string& out, size_t max_bytes) {
  const size_t cap = max_bytes + 1;
  if (out.size() >= cap) return false;
  size_t want = std::max<size_t>(out.size() * 2, 64 * 1024);
  out.resize(std::min(want, cap));
  return true;
}

struct InflateEnd {
  void operator()(z_stream* z) const {
    inflateEnd(z);
    delete z;
  }
};

Result<std::string> Inflate(std::string_view in, int window_bits, std::string_view what,
                            size_t max_bytes) {
  std::unique_ptr<z_stream, InflateEnd> zs(new z_stream{});
  if (inflateInit2(zs.get(), window_bits) != Z_OK) {
    return Status::ResourceExhausted("cannot allocate a " + std::string(what) + " decoder");
  }
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  std::string out;
  size_t produced = 0;
  for (;;) {
    if (produced == out.size() && !Grow(out, max_bytes)) return TooLarge(max_bytes);
    zs->next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs->avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(zs.get(), Z_NO_FLUSH);
    produced = out.size() - zs->avail_out;
    if (produced > max_bytes) return TooLarge(max_bytes);
    if (rc == Z_STREAM_END) {
      if (zs->avail_in == 0) break;
      // Another gzip member follows (RFC 1952 allows several); deflate allows no more.
      if (window_bits != 16 + MAX_WBITS || inflateReset(zs.get()) != Z_OK) {
        return Status::InvalidArgument("corrupt " + std::string(what) +
                                       " body: data after the end of the stream");
      }
      continue;
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) {
      if (zs->avail_in == 0 && zs->avail_out > 0) {
        return Status::InvalidArgument("truncated " + std::string(what) +
                                       " body: the stream ends before its end marker");
      }
      continue;
    }
    return Status::InvalidArgument("corrupt " + std::string(what) +
                                   " body: " + (zs->msg != nullptr ? zs->msg : "inflate failed"));
  }
  out.resize(produced);
  return out;
}

struct FreeDStream {
  void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};

Result<std::string> Unzstd(std::string_view in, size_t max_bytes) {
  std::unique_ptr<ZSTD_DStream, FreeDStream> ds(ZSTD_createDStream());
  if (!ds || ZSTD_isError(ZSTD_initDStream(ds.get()))) {
    return Status::ResourceExhausted("cannot allocate a zstd decoder");
  }
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::string out;
  size_t produced = 0;
  for (;;) {
    if (produced == out.size() && !Grow(out, max_bytes)) return TooLarge(max_bytes);
    ZSTD_outBuffer ob{out.data(), out.size(), produced};
    const size_t rc = ZSTD_decompressStream(ds.get(), &ob, &ib);
    if (ZSTD_isError(rc)) {
      return Status::InvalidArgument(std::string("corrupt zstd body: ") + ZSTD_getErrorName(rc));
    }
    produced = ob.pos;
    if (produced > max_bytes) return TooLarge(max_bytes);
    if (ib.pos == ib.size) {
      if (rc == 0) break;  // the last frame is complete
      if (ob.pos < ob.size) {
        return Status::InvalidArgument("truncated zstd body: the frame ends early");
      }
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace

Status CheckEncoding(std::string_view encoding) {
  if (Classify(encoding) != Encoding::kUnknown) return Status::OK();
  return Status::Unsupported("unsupported Content-Encoding \"" + std::string(encoding) +
                             "\"; supported: gzip, zstd, deflate, identity");
}

Result<std::string> DecodeBody(std::string_view encoding, std::string&& body, size_t max_bytes) {
  RETURN_IF_ERROR(CheckEncoding(encoding));
  const Encoding e = Classify(encoding);
  if (e == Encoding::kIdentity || body.empty()) return std::move(body);
  if (e == Encoding::kZstd) return Unzstd(body, max_bytes);
  if (e == Encoding::kGzip) return Inflate(body, 16 + MAX_WBITS, "gzip", max_bytes);
  return Inflate(body, MAX_WBITS, "deflate", max_bytes);
}

}  // namespace vigil
