#pragma once
// A queue that one thread drains in batches: callers post from any thread, the owner takes
// everything posted so far, waiting a while when there is nothing. The Trainer's command queue
// and the probe thread's both are one.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace scorelab {

template <class T>
class Mailbox {
 public:
  void post(T item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  // Everything posted so far. When there is nothing, waits up to `timeout` (forever when
  // negative) for a post or close(). Returns nothing once closed.
  std::deque<T> take(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto ready = [this] { return closed_ || !items_.empty(); };
    if (timeout.count() < 0) {
      cv_.wait(lock, ready);
    } else if (timeout.count() > 0) {
      cv_.wait_for(lock, timeout, ready);
    }
    std::deque<T> out;
    if (!closed_) out.swap(items_);
    return out;
  }

  // Wakes the owner; take() returns nothing from now on. Returns what was still queued.
  std::deque<T> close() {
    std::deque<T> left;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
      left.swap(items_);
    }
    cv_.notify_all();
    return left;
  }

  bool closed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace scorelab
