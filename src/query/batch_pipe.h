// BatchPipe: a bounded single-producer, single-consumer queue of batches, so the store
// can decode the next batches on the scanning thread while a worker thread runs the
// operators on the previous ones (executor.cc). Internal to the query module.
// Thread-safe: Push and Close from the producer, Pop and Stop from the consumer.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "core/batch.h"

namespace vigil::query {

class BatchPipe {
 public:
  explicit BatchPipe(size_t capacity) : capacity_(capacity) {}

  // Waits for room, then queues `b`. Returns false once the consumer has stopped.
  bool Push(Batch&& b) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return q_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    q_.push_back(std::move(b));
    ready_.notify_one();
    return true;
  }
  // No more batches will come.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_one();
  }
  // The next batch, or nullopt when the producer closed the pipe and it is drained.
  std::optional<Batch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    Batch b = std::move(q_.front());
    q_.pop_front();
    room_.notify_one();
    return b;
  }
  // The consumer wants no more: pending and future Pushes return false.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    q_.clear();
    room_.notify_one();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Batch> q_;  // guarded by mu_, like the flags
  bool closed_ = false;
  bool stopped_ = false;
};

}  // namespace vigil::query
