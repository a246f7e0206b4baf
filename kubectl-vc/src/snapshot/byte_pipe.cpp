// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/byte_pipe.h"

#include <cstring>

namespace vc::cli::snapshot {

Status BytePipe::Write(const char* data, size_t size) {
  std::unique_lock lock(mu_);
  while (size > 0) {
    changed_.wait(lock, [&] { return !failed_.ok() || buffer_.size() - head_ < capacity_; });
    if (!failed_.ok()) return failed_;
    if (head_ > 0 && head_ == buffer_.size()) {
      buffer_.clear();
      head_ = 0;
    } else if (head_ > capacity_) {
      buffer_.erase(0, head_);
      head_ = 0;
    }
    const size_t n = std::min(size, capacity_ - (buffer_.size() - head_));
    buffer_.append(data, n);
    data += n;
    size -= n;
    changed_.notify_all();
  }
  return Status::Ok();
}

void BytePipe::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  changed_.notify_all();
}

StatusOr<size_t> BytePipe::Read(char* data, size_t size) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return !failed_.ok() || closed_ || head_ < buffer_.size(); });
  if (!failed_.ok()) return failed_;
  const size_t n = std::min(size, buffer_.size() - head_);
  std::memcpy(data, buffer_.data() + head_, n);
  head_ += n;
  changed_.notify_all();
  return n;
}

void BytePipe::Fail(Status why) {
  std::lock_guard lock(mu_);
  if (failed_.ok()) failed_ = why.ok() ? Status(Code::kCancelled, "pipe closed") : std::move(why);
  changed_.notify_all();
}

}  // namespace vc::cli::snapshot
