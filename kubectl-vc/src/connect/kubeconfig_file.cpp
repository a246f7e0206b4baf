// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/kubeconfig_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "vc/read_file.h"
#include "vc/yaml.h"

namespace vc::cli::connect {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Held for the whole read-modify-write, with kubectl's (client-go's) protocol, so kubectl and
// kubectl-vc exclude each other: FILE.lock is created exclusively and removed when done. A lock
// that stays (another writer, or one that crashed) is waited for a while, then named in the error.
class FileLock {
 public:
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path) {
    const std::string lock_path = path + ".lock";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      const int fd = ::open(lock_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0) {
        ::close(fd);
        return std::unique_ptr<FileLock>(new FileLock(lock_path));
      }
      if (errno != EEXIST && errno != EINTR) {
        return Unavailable("lock " + lock_path + ": " + ErrnoText(errno));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Unavailable("lock " + lock_path +
                           ": it exists for more than 10s; if no kubectl "
                           "or kubectl-vc is writing this kubeconfig, remove it");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~FileLock() { ::unlink(path_.c_str()); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Status WriteAtomically(const std::string& path, const std::string& data) {
  fs::path target(path);
  std::error_code ec;
  // Write through a symlinked kubeconfig instead of replacing the link.
  if (fs::is_symlink(target, ec)) target = fs::canonical(target, ec);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  fs::create_directories(dir, ec);
  if (ec) return Unavailable("write " + path + ": create " + dir.string() + ": " + ec.message());
  std::string tmp =
      (dir / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("write " + tmp + ": " + ErrnoText(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Unavailable("write " + tmp + ": " + ErrnoText(err));
    }
    done += static_cast<size_t>(n);
  }
  // fchmod as well: the umask may have narrowed 0600, never widened it, but an existing temp
  // file keeps its old mode.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Unavailable("write " + tmp + ": " + ErrnoText(err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Unavailable("write " + target.string() + ": " + ErrnoText(err));
  }
  return Status::Ok();
}

}  // namespace

KubeconfigFile::KubeconfigFile()
    : doc_({{"apiVersion", "v1"},
            {"kind", "Config"},
            {"clusters", json::array()},
            {"users", json::array()},
            {"contexts", json::array()}}) {}

StatusOr<KubeconfigFile> KubeconfigFile::Parse(const std::string& text, const std::string& source) {
  auto doc = yaml::Parse(text, source);
  if (!doc.ok()) return doc.status().Annotate("load kubeconfig");
  KubeconfigFile file;
  if (doc->value.is_null()) return file;
  if (!doc->value.is_object()) {
    return doc->ErrorAt("", "a kubeconfig must be a mapping").Annotate("load kubeconfig");
  }
  for (const char* list : {"clusters", "users", "contexts"}) {
    const json& v = doc->value.contains(list) ? doc->value[list] : json();
    if (!v.is_null() && !v.is_array()) {
      return doc->ErrorAt(std::string("/") + list, std::string(list) + " must be a list")
          .Annotate("load kubeconfig");
    }
  }
  file.doc_ = doc->value;
  return file;
}

StatusOr<KubeconfigFile> KubeconfigFile::Load(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok() && text.status().code() == Code::kNotFound) return KubeconfigFile();
  if (!text.ok()) return text.status().Annotate("load kubeconfig");
  return Parse(*text, path);
}

void KubeconfigFile::Set(const char* list, const char* field, const std::string& name, json value) {
  json& items = doc_[list];
  if (!items.is_array()) items = json::array();
  for (json& item : items) {
    if (item.is_object() && item.value("name", json()) == name) {
      item[field] = std::move(value);
      return;
    }
  }
  items.push_back({{"name", name}, {field, std::move(value)}});
}

bool KubeconfigFile::Remove(const char* list, const std::string& name) {
  auto it = doc_.find(list);
  if (it == doc_.end() || !it->is_array()) return false;
  size_t before = it->size();
  json kept = json::array();
  for (json& item : *it) {
    if (!(item.is_object() && item.value("name", json()) == name)) kept.push_back(item);
  }
  *it = std::move(kept);
  return it->size() != before;
}

void KubeconfigFile::SetCluster(const std::string& name, json v) {
  Set("clusters", "cluster", name, std::move(v));
}
void KubeconfigFile::SetUser(const std::string& name, json v) {
  Set("users", "user", name, std::move(v));
}
void KubeconfigFile::SetContext(const std::string& name, json v) {
  Set("contexts", "context", name, std::move(v));
}
bool KubeconfigFile::RemoveCluster(const std::string& name) { return Remove("clusters", name); }
bool KubeconfigFile::RemoveUser(const std::string& name) { return Remove("users", name); }
bool KubeconfigFile::RemoveContext(const std::string& name) { return Remove("contexts", name); }

void KubeconfigFile::SetCurrentContext(const std::string& name) {
  if (name.empty()) {
    doc_.erase("current-context");
  } else {
    doc_["current-context"] = name;
  }
}

std::string KubeconfigFile::current_context() const {
  auto it = doc_.find("current-context");
  return it != doc_.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string KubeconfigFile::Render() const { return yaml::Dump(doc_); }

Status KubeconfigFile::Save(const std::string& path) const {
  ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(path));
  return WriteAtomically(path, Render());
}

Status UpdateKubeconfigFile(const std::string& path,
                            const std::function<Status(KubeconfigFile*)>& edit) {
  std::error_code ec;
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);  // the lock file lives there too
  ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(path));
  ASSIGN_OR_RETURN(KubeconfigFile file, KubeconfigFile::Load(path));
  RETURN_IF_ERROR(edit(&file));
  return WriteAtomically(path, file.Render()).Annotate("update kubeconfig");
}

}  // namespace vc::cli::connect
