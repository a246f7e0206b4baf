// SPDX-License-Identifier: Apache-2.0
// file:///PATH: written to PATH.partial and renamed, so PATH is only ever a whole archive.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

Status Errno(const std::string& what) {
  const int e = errno;
  if (e == ENOSPC) return FailedPrecondition(what + ": no space left on the device");
  if (e == ENOENT) return NotFound(what + ": no such file or directory");
  if (e == EACCES) return Status(Code::kForbidden, what + ": permission denied");
  return Internal(what + ": " + std::strerror(e));
}

class FileUpload : public ArchiveUpload {
 public:
  FileUpload(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~FileUpload() override {
    if (fd_ >= 0) Abort();
  }
  Status Write(const char* data, size_t size) override {
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Errno("write " + Partial());
      data += n;
      size -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  Status Commit() override {
    if (::fsync(fd_) != 0) return Errno("write " + Partial());
    ::close(fd_);
    fd_ = -1;
    if (::rename(Partial().c_str(), path_.c_str()) != 0) return Errno("rename to " + path_);
    return Status::Ok();
  }
  void Abort() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(Partial().c_str());
  }

 private:
  std::string Partial() const { return path_ + ".partial"; }
  std::string path_;
  int fd_;
};

class FileStore : public SnapshotStore {
 public:
  explicit FileStore(std::string path) : path_(std::move(path)) {}

  StatusOr<std::unique_ptr<ArchiveUpload>> Create(const nlohmann::json&) override {
    const std::string partial = path_ + ".partial";
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Errno("create " + partial);
    return std::unique_ptr<ArchiveUpload>(new FileUpload(path_, fd));
  }

  Status Read(const vc::snapshot::ByteSink& sink) override {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("read snapshot " + path_);
    std::vector<char> buf(1 << 20);
    Status s;
    while (s.ok()) {
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) s = Errno("read snapshot " + path_);
      if (n <= 0) break;
      s = sink(buf.data(), static_cast<size_t>(n));
    }
    ::close(fd);
    return s;
  }

  uint64_t size_hint() const override {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<SnapshotStore> NewFileStore(const std::string& path) {
  return std::make_unique<FileStore>(path);
}

}  // namespace vc::cli::snapshot
