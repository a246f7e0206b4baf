// SPDX-License-Identifier: Apache-2.0
// A bounded in-memory pipe between two threads: what lets a push-style producer (a libcurl
// download's write callback) feed a pull-style consumer (an upload's read callback, or the
// ArchiveReader) without ever holding more than `capacity` bytes. Either side can fail the
// pipe; the other then sees that error instead of blocking forever.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include "vc/status.h"

namespace vc::cli::snapshot {

class BytePipe {
 public:
  explicit BytePipe(size_t capacity = 8 << 20) : capacity_(capacity) {}

  // Blocks while the pipe is full. Fails once the reader failed the pipe.
  Status Write(const char* data, size_t size);
  // The writer is done: the reader gets 0 after the last byte.
  void Close();
  // Blocks while empty; 0 at the end. Returns the writer's error when it failed the pipe.
  StatusOr<size_t> Read(char* data, size_t size);
  // Either side gives up: the other's next call returns `why`.
  void Fail(Status why);

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::string buffer_;
  size_t head_ = 0;
  bool closed_ = false;
  Status failed_;
};

}  // namespace vc::cli::snapshot
