// Helpers for the server module's tests: compressors (production code only
// decompresses), a raw HTTP/1.1 client that shows exactly what the server sends, and an
// in-memory Store.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace vigil::testing_util {

// gzip (windowBits 16 + MAX_WBITS) or, with `gzip` false, zlib-wrapped deflate.
inline std::string Deflate(std::string_view in, bool gzip = true) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, gzip ? 16 + MAX_WBITS : MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

inline std::string Gzip(std::string_view in) { return Deflate(in, true); }

inline std::string Zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
  if (ZSTD_isError(n)) throw std::runtime_error("ZSTD_compress");
  out.resize(n);
  return out;
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A deliberately dumb HTTP/1.1 client over a blocking socket, so the tests see exactly
// the bytes the server sends.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; nullopt when the connection ends first or nothing comes within
  // `timeout`.
  std::optional<RawResponse> Read(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(timeout)) return std::nullopt;
    }
    RawResponse r;
    std::string head = buf_.substr(0, header_end);
    buf_.erase(0, header_end + 4);
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = line.substr(colon + 2);
      pos = next;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buf_.size() < length) {
      if (!Fill(timeout)) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True when the server closed the connection (EOF or reset) within `timeout`.
  bool ClosedByPeer(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    char c;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    return recv(fd_, &c, 1, 0) <= 0;
  }

 private:
  bool Fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

inline std::string Post(std::string_view target, std::string_view body,
                        std::string_view extra = "") {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

inline std::string Get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// Keeps appended batches in memory; Scan filters by time range only (predicates are
// hints). Appends can be made to fail. Thread-safe.
class FakeStore : public Store {
 public:
  Status Append(Batch&& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_.ok()) return fail_;
    batches_.push_back(std::move(batch));
    return Status::OK();
  }

  Status Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) override {
    std::vector<Batch> snapshot;
    {
      std::lock_guard<std::mutex> lock(mu_);
      snapshot = batches_;
    }
    for (const Batch& b : snapshot) {
      const Column* ts = b.Find("@timestamp", Type::kInt);
      std::vector<uint32_t> rows;
      for (size_t r = 0; r < b.rows; ++r) {
        if (ts != nullptr && ts->IsValid(r) && ts->ints[r] >= spec.min_ts &&
            ts->ints[r] <= spec.max_ts) {
          rows.push_back(static_cast<uint32_t>(r));
        }
      }
      if (stats != nullptr) stats->rows_scanned += b.rows;
      Batch out;
      out.AppendRows(b, rows);
      if (!sink(std::move(out))) break;
    }
    return Status::OK();
  }

  Status Flush() override { return Status::OK(); }
  Status CompactAll() override { return Status::OK(); }
  StoreStats Stats() override {
    StoreStats s;
    s.memtable_rows = rows();
    s.partitions = {{"2026-01-01", 2, 100, 4096}};
    return s;
  }
  Status Close() override { return Status::OK(); }

  void FailAppends(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(s);
  }
  size_t rows() const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const Batch& b : batches_) n += b.rows;
    return n;
  }
  std::vector<Batch> batches() const {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Batch> batches_;
  Status fail_;
};

}  // namespace vigil::testing_util
