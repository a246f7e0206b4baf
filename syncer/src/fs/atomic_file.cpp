// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/fs/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace vc::syncer::fs {
namespace {

Status Errno(const std::string& what, int err) {
  return Internal(what + ": " + std::strerror(err));
}

// Closes on every path out, keeping the first error.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status FsyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("open directory " + dir, errno);
  if (::fsync(fd.get()) != 0) return Errno("fsync directory " + dir, errno);
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode) {
  const std::filesystem::path target(path);
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  const std::string tmp = dir + "/." + target.filename().string() + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return Errno("create " + tmp, errno);
  // Before any byte of a key is written: the mode open() used was reduced by the umask, and
  // a leftover temporary file keeps the mode it had.
  if (::fchmod(fd.get(), mode) != 0) return Errno("chmod " + tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write " + tmp, errno);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return Errno("fsync " + tmp, errno);
  if (::close(fd.Release()) != 0) return Errno("close " + tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp, errno);
  return FsyncDirectory(dir);
}

StatusOr<bool> WriteFileIfChanged(const std::string& path, std::string_view content, mode_t mode) {
  auto existing = ReadFile(path);
  struct stat st {};
  if (existing.ok() && *existing == content && ::stat(path.c_str(), &st) == 0 &&
      (st.st_mode & 07777) == mode) {
    return false;
  }
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  RETURN_IF_ERROR(WriteFileAtomic(path, content, mode));
  return true;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFound("read " + path + ": no such file");
    return Errno("read " + path, errno);
  }
  std::string data;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read " + path, errno);
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

Status MakeDirectories(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::path current;
  for (const auto& part : std::filesystem::path(path)) {
    current /= part;
    if (std::filesystem::is_directory(current, ec)) continue;
    if (::mkdir(current.c_str(), mode) != 0 && errno != EEXIST) {
      return Errno("create directory " + current.string(), errno);
    }
  }
  return Status::Ok();
}

}  // namespace vc::syncer::fs
