// SPDX-License-Identifier: Apache-2.0
// The pod side of snapshots, without a pod: a kine-shaped SQLite database and PKI in a temp
// dir; archive written, staged elsewhere, swapped in by init's ApplyStagedRestore; the
// endpoint's mTLS checks (admin certificate only) and its HTTP contract.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "syncer_test_util.h"
#include "vc/cli/snapshot/http_call.h"
#include "vc/syncer/init/init_command.h"
#include "vc/syncer/pki/pki_store.h"
#include "vc/syncer/snapshot/data_archive.h"
#include "vc/syncer/snapshot/restore_swap.h"
#include "vc/syncer/snapshot/snapshot_server.h"

namespace vc::syncer::snapshot {
namespace {

using nlohmann::json;
using testing::Slurp;
using testing::Spit;
using testing::TempDir;

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
}

// kine's table, in WAL mode as kine runs it, with a few keys.
void MakeKineDb(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db,
       "PRAGMA journal_mode=WAL;"
       "CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, created INTEGER,"
       " deleted INTEGER, create_revision INTEGER, prev_revision INTEGER, lease INTEGER,"
       " value BLOB, old_value BLOB);");
  const char* rows[][2] = {
      {"/registry/configmaps/default/a", "0"},
      {"/registry/configmaps/default/a", "0"},  // a second revision: one object
      {"/registry/configmaps/default/b", "0"},
      {"/registry/configmaps/default/b", "1"},  // deleted
      {"/registry/configmaps/team/c", "0"},
      {"/registry/namespaces/default", "0"},
      {"/registry/apiextensions.k8s.io/customresourcedefinitions/foos.example.com", "0"},
      {"/registry/example.com/foos/team/x", "0"},
      {"compact_rev_key", "0"},
  };
  for (const auto& r : rows) {
    Exec(db, std::string("INSERT INTO kine(name, deleted, value) VALUES('") + r[0] + "'," + r[1] +
                 ", randomblob(3000));");
  }
  sqlite3_close(db);
}

class SnapshotDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    std::filesystem::create_directories(data_);
    init::InitOptions o;
    o.name = "dev-team";
    o.namespace_ = "vcluster-dev-team";
    o.data_dir = data_;
    o.apiserver_port = 31443;
    ASSERT_TRUE(init::PrepareDataDir(o).ok());
    MakeKineDb(data_ + "/state.db");
  }

  StatusOr<std::string> Archive(std::optional<vc::snapshot::EncryptionKey> key = std::nullopt) {
    std::string out;
    ArchiveRequest request;
    request.data_dir = data_;
    request.meta = {{"cluster", {{"name", "dev-team"}}}};
    request.key = key;
    RETURN_IF_ERROR(WriteDataArchive(request, [&](const char* d, size_t n) {
                      out.append(d, n);
                      return Status::Ok();
                    }).status());
    return out;
  }

  static vc::snapshot::ByteSource From(const std::string& s) {
    auto pos = std::make_shared<size_t>(0);
    auto text = std::make_shared<std::string>(s);
    return [pos, text](char* d, size_t n) -> StatusOr<size_t> {
      const size_t k = std::min(n, text->size() - *pos);
      std::memcpy(d, text->data() + *pos, k);
      *pos += k;
      return k;
    };
  }

  TempDir dir_;
  std::string data_;
};

TEST(SnapshotEntryPath, StaysInsideTheDataDir) {
  EXPECT_TRUE(SafeEntryPath("state.db"));
  EXPECT_TRUE(SafeEntryPath("pki/ca.crt"));
  for (const char* bad : {"", "/etc/passwd", "../x", "pki/../../x", "pki//x", "./x", "pki/"}) {
    EXPECT_FALSE(SafeEntryPath(bad)) << bad;
  }
}

TEST_F(SnapshotDataTest, CountsLiveObjectsPerResourceAndNamespace) {
  auto counts = CountObjects(data_ + "/state.db");
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  const json want = json::array({
      {{"resource", "configmaps"}, {"namespace", "default"}, {"count", 1}},
      {{"resource", "configmaps"}, {"namespace", "team"}, {"count", 1}},
      {{"resource", "customresourcedefinitions.apiextensions.k8s.io"},
       {"namespace", ""},
       {"count", 1}},
      {{"resource", "foos.example.com"}, {"namespace", "team"}, {"count", 1}},
      {{"resource", "namespaces"}, {"namespace", ""}, {"count", 1}},
  });
  EXPECT_EQ(*counts, want);
}

TEST_F(SnapshotDataTest, ArchiveStagesAndSwapsInKeepingThePreviousState) {
  auto archive = Archive();
  ASSERT_TRUE(archive.ok()) << archive.status().message();
  EXPECT_FALSE(std::filesystem::exists(data_ + "/.snapshot")) << "the backup copy is removed";

  // Another cluster's /data (its own CA, an empty database with a WAL file).
  TempDir other_dir;
  const std::string other = other_dir.path();
  std::filesystem::create_directories(other + "/pki");
  Spit(other + "/state.db", "old database");
  Spit(other + "/state.db-wal", "old wal");
  Spit(other + "/pki/ca.crt", "old ca");
  auto meta = StageRestore(other, From(*archive), std::nullopt);
  ASSERT_TRUE(meta.ok()) << meta.status().message();
  EXPECT_EQ((*meta)["cluster"]["name"], "dev-team");
  EXPECT_TRUE(std::filesystem::exists(other + "/restore.ready/state.db"));
  EXPECT_EQ(Slurp(other + "/state.db"), "old database") << "staging touches nothing live";

  auto applied = ApplyStagedRestore(other);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_TRUE(*applied);
  EXPECT_EQ(Slurp(other + "/pki/ca.crt"), Slurp(data_ + "/pki/ca.crt"));
  EXPECT_EQ(Slurp(other + "/pki/sa.key"), Slurp(data_ + "/pki/sa.key"));
  EXPECT_FALSE(std::filesystem::exists(other + "/state.db-wal"));
  EXPECT_EQ(Slurp(other + "/restore.previous/state.db"), "old database");
  EXPECT_EQ(Slurp(other + "/restore.previous/pki/ca.crt"), "old ca");
  EXPECT_FALSE(std::filesystem::exists(other + "/restore.ready"));
  EXPECT_FALSE(std::filesystem::exists(other + "/restore.applying"));
  auto counts = CountObjects(other + "/state.db");
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->size(), 5u);
  // Nothing staged: a second init does nothing.
  auto again = ApplyStagedRestore(other);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(SnapshotDataTest, InitFailingOnTheRestoredStateRollsBack) {
  auto archive = Archive();
  ASSERT_TRUE(archive.ok());
  TempDir other_dir;
  const std::string other = other_dir.path();
  std::filesystem::create_directories(other + "/pki");
  Spit(other + "/state.db", "old database");
  Spit(other + "/pki/ca.crt", "old ca");
  ASSERT_TRUE(StageRestore(other, From(*archive), std::nullopt).ok());

  Status s = InitWithStagedRestore(other, [] { return Internal("cannot publish the secret"); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Slurp(other + "/state.db"), "old database");
  EXPECT_EQ(Slurp(other + "/pki/ca.crt"), "old ca");
  EXPECT_EQ(Slurp(other + "/restore.failed/pki/ca.crt"), Slurp(data_ + "/pki/ca.crt"));
  auto result = ReadRestoreResult(other);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)["result"], "rolledBack");
  EXPECT_NE((*result)["message"].get<std::string>().find("cannot publish the secret"),
            std::string::npos);

  // The next start (nothing staged) just runs init on the old state.
  int runs = 0;
  EXPECT_TRUE(InitWithStagedRestore(other, [&] {
                ++runs;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(runs, 1);

  // A good run records "applied" with the snapshot it came from.
  ASSERT_TRUE(StageRestore(other, From(*archive), std::nullopt).ok());
  EXPECT_FALSE(ReadRestoreResult(other).ok()) << "staging clears an older result";
  ASSERT_TRUE(InitWithStagedRestore(other, [] { return Status::Ok(); }).ok());
  result = ReadRestoreResult(other);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)["result"], "applied");
  EXPECT_EQ((*result)["snapshot"]["cluster"]["name"], "dev-team");
}

TEST_F(SnapshotDataTest, BadArchivesStageNothing) {
  auto archive = Archive();
  ASSERT_TRUE(archive.ok());
  std::string corrupted = *archive;
  corrupted[corrupted.size() / 2] ^= 1;
  TempDir other;
  Status s = StageRestore(other.path(), From(corrupted), std::nullopt).status();
  EXPECT_NE(s.message().find("snapshot is corrupted"), std::string::npos) << s.message();
  s = StageRestore(other.path(), From(archive->substr(0, archive->size() - 100)), std::nullopt)
          .status();
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(other.path() + "/restore.ready"));
  EXPECT_FALSE(std::filesystem::exists(other.path() + "/restore.staging"));

  vc::snapshot::EncryptionKey key;
  key.bytes.fill(7);
  auto encrypted = Archive(key);
  ASSERT_TRUE(encrypted.ok());
  s = StageRestore(other.path(), From(*encrypted), std::nullopt).status();
  EXPECT_NE(s.message().find("encrypted"), std::string::npos) << s.message();
  EXPECT_TRUE(StageRestore(other.path(), From(*encrypted), key).ok());
}

// The endpoint over real TLS: the admin certificate gets a snapshot and stages a restore; a
// certificate of the same CA without O=system:masters is refused.
TEST_F(SnapshotDataTest, EndpointServesAdminsOnly) {
  SnapshotServer server({.data_dir = data_, .address = "127.0.0.1", .port = 0});
  ASSERT_TRUE(server.Start().ok());
  CancelToken stop;
  std::thread serving([&] { server.Serve(stop); });
  struct Joiner {
    CancelToken& stop;
    std::thread& t;
    ~Joiner() {
      stop.Cancel();
      t.join();
    }
  } joiner{stop, serving};
  pki::PkiStore store(data_ + "/pki");
  auto ca = store.LoadCa();
  auto admin = store.LoadLeaf("admin");
  auto manager = store.LoadLeaf("controller-manager");
  ASSERT_TRUE(ca.ok() && admin.ok() && manager.ok());
  auto call = [&](const pki::KeyAndCertificate& who, const std::string& method,
                  const std::string& path) {
    cli::snapshot::HttpCall c;
    c.method = method;
    c.url = "https://127.0.0.1:" + std::to_string(server.port()) + path;
    c.tls.ca_pem = ca->certificate_pem;
    c.tls.client_cert_pem = who.certificate_pem;
    c.tls.client_key_pem = who.private_key_pem;
    return c;
  };

  std::string archive;
  const std::string body = R"({"meta":{"cluster":{"name":"dev-team"}}})";
  auto snap = call(*admin, "POST", "/snapshot");
  snap.body = &body;
  snap.response_sink = [&](const char* d, size_t n) {
    archive.append(d, n);
    return Status::Ok();
  };
  auto r = cli::snapshot::Perform(snap);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(archive.substr(0, 6), "VCSNAP");

  auto refused = call(*manager, "POST", "/snapshot");
  refused.body = &body;
  auto f = cli::snapshot::Perform(refused);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->status, 403);
  EXPECT_NE(f->body.find("admin certificate"), std::string::npos);

  auto put = call(*admin, "PUT", "/restore");
  put.body_source = From(archive);
  put.body_size = -1;  // chunked, as kubectl-vc sends it
  auto staged = cli::snapshot::Perform(put);
  ASSERT_TRUE(staged.ok()) << staged.status().message();
  EXPECT_EQ(staged->status, 200) << staged->body;
  EXPECT_TRUE(std::filesystem::exists(data_ + "/restore.ready/state.db"));

  const std::string junk = "not an archive at all";
  auto bad = call(*admin, "PUT", "/restore");
  bad.body = &junk;
  auto rejected = cli::snapshot::Perform(bad);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, 400);
  EXPECT_NE(rejected->body.find("not a kubectl-vc snapshot"), std::string::npos) << rejected->body;
}

// Connections that never speak (a port-forward a client gave up on) neither hold up the next
// one nor keep Serve from returning on stop: nothing is left running behind it.
TEST_F(SnapshotDataTest, SilentConnectionsHoldUpNothing) {
  SnapshotServer server({.data_dir = data_, .address = "127.0.0.1", .port = 0});
  ASSERT_TRUE(server.Start().ok());
  CancelToken stop;
  std::thread serving([&] { server.Serve(stop); });
  std::vector<int> silent;
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    silent.push_back(fd);
  }
  pki::PkiStore store(data_ + "/pki");
  auto ca = store.LoadCa();
  auto admin = store.LoadLeaf("admin");
  ASSERT_TRUE(ca.ok() && admin.ok());
  cli::snapshot::HttpCall status;
  status.method = "GET";
  status.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/restore/status";
  status.tls.ca_pem = ca->certificate_pem;
  status.tls.client_cert_pem = admin->certificate_pem;
  status.tls.client_key_pem = admin->private_key_pem;
  auto r = cli::snapshot::Perform(status);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 404) << "no restore ran: " << r->body;

  const auto start = std::chrono::steady_clock::now();
  stop.Cancel();
  serving.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  for (int fd : silent) {
    char c;
    EXPECT_EQ(::recv(fd, &c, 1, 0), 0) << "the server closed its side";
    ::close(fd);
  }
}

}  // namespace
}  // namespace vc::syncer::snapshot
