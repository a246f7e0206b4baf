// SPDX-License-Identifier: Apache-2.0
// `local-cluster up --real-nodes` beside the fixture's cluster (a second host cluster, as the
// snapshot-and-restore demo needs), and `down` leaving nothing behind: no process, mount,
// network namespace, veth, route, iptables rule, cgroup or containerd state, also after a run
// that was killed. Needs root.
#include <dirent.h>

#include <filesystem>
#include <set>

#include "realnodes/real_cluster.h"

namespace vc::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a cluster could leave on the machine: every rule of the root namespace's iptables (no
// cluster may touch them), and the lines that name one of `marks` (its network namespace,
// veth, addresses, directory, cgroups) among links, namespaces, routes, mounts, cgroups and
// CNI's cache. The fixture's cluster runs meanwhile; its lines name other marks.
std::set<std::string> MachineState(const std::string& scratch,
                                   const std::vector<std::string>& marks) {
  std::set<std::string> state;
  auto lines = [&](const std::string& what, const std::string& command, bool all) {
    std::istringstream in(RunCommand({"/bin/sh", "-c", command}, scratch).out);
    for (std::string line; std::getline(in, line);) {
      bool mine = all;
      for (const auto& m : marks) mine = mine || line.find(m) != std::string::npos;
      if (mine) state.insert(what + ": " + line);
    }
  };
  lines("iptables", "iptables-save | grep -v '^#'", true);
  lines("link", "ip -o link show | awk -F': ' '{print $2}'", false);
  lines("netns", "ip netns list", false);
  lines("route", "ip route show", false);
  lines("mount", "awk '{print $5}' /proc/self/mountinfo", false);
  lines("cgroup", "ls -d /sys/fs/cgroup/*/vc-lc-* 2>/dev/null; true", false);
  lines("run", "ls -d /run/vc-lc/* 2>/dev/null; true", false);
  lines("cni-cache", "ls /var/lib/cni/results 2>/dev/null; true", false);
  return state;
}

// The marks of the cluster in `dir` (its DIR/real.env, while it exists).
std::vector<std::string> MarksOf(const std::string& dir) {
  std::vector<std::string> marks = {dir + "/"};
  std::ifstream in(dir + "/real.env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("REAL_K=", 0) != 0) continue;
    const std::string k = line.substr(7);
    for (const std::string& m :
         {"vc-lc-" + k + " ", "vc-lc-" + k + "-", "vclc-" + k + "@", "vclc-" + k + ":",
          "172.30." + k + ".", "10." + std::to_string(200 + std::stoi(k)) + ".", "/run/vc-lc/" + k})
      marks.push_back(m);
  }
  return marks;
}

// Processes whose command line names `dir`.
std::vector<std::string> ProcessesOf(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(getpid()))
      continue;
    std::string cmdline = Slurp(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(dir) != std::string::npos) found.push_back(pid + " " + cmdline);
  }
  return found;
}

class RealUpDownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string fixture = Env("VC_REAL_CLUSTER_DIR");
    ASSERT_FALSE(fixture.empty()) << "VC_REAL_CLUSTER_DIR is not set: run through ctest (as root)";
    script_ = ClusterValue(fixture, "LOCAL_CLUSTER");
    kubectl_ = ClusterValue(fixture, "BIN") + "/kubectl";
    scratch_ = std::make_unique<TempDir>("vc-updown");
    dir_ = scratch_->path() + "/second";
  }

  void TearDown() override { LocalClusterCmd({"down", "--dir", dir_}); }

  Ran LocalClusterCmd(std::vector<std::string> args) {
    args.insert(args.begin(), script_);
    return RunCommand(args, scratch_->path(), std::chrono::seconds(300));
  }

  Ran Kubectl(std::vector<std::string> args) {
    args.insert(args.begin(), {kubectl_, "--kubeconfig", dir_ + "/kubeconfig"});
    return RunCommand(args, scratch_->path());
  }

  void RunAPod() {
    Ran run = Kubectl(
        {"run", "sleeper", "--image=busybox:1.36", "--restart=Never", "--", "sleep", "3600"});
    ASSERT_EQ(run.code, 0) << run.out;
    ASSERT_EQ(Kubectl({"wait", "--for=condition=Ready", "pod/sleeper", "--timeout=90s"}).code, 0)
        << Kubectl({"describe", "pod", "sleeper"}).out;
  }

  std::string script_, kubectl_, dir_;
  std::unique_ptr<TempDir> scratch_;
};

std::string Diff(const std::set<std::string>& before, const std::set<std::string>& after) {
  std::string d;
  for (const auto& s : after)
    if (before.count(s) == 0) d += "+ " + s + "\n";
  for (const auto& s : before)
    if (after.count(s) == 0) d += "- " + s + "\n";
  return d;
}

TEST_F(RealUpDownTest, ASecondClusterRunsBesideTheFirstAndDownLeavesNothing) {
  const auto iptables_before = MachineState(scratch_->path(), {});
  Ran up = LocalClusterCmd({"up", "--dir", dir_, "--nodes", "0", "--real-nodes", "1"});
  ASSERT_EQ(up.code, 0) << up.out;
  ASSERT_NO_FATAL_FAILURE(RunAPod());
  const auto marks = MarksOf(dir_);
  ASSERT_GT(marks.size(), 1u);
  const auto running = MachineState(scratch_->path(), marks);
  // It made its namespace, veth, route, mounts and cgroups (so the marks find them) ...
  const std::string made = Diff(iptables_before, running);
  for (const char* kind :
       {"+ netns: ", "+ link: ", "+ route: ", "+ mount: ", "+ cgroup: ", "+ run: "})
    EXPECT_NE(made.find(kind), std::string::npos) << kind << " in\n" << made;
  Ran down = LocalClusterCmd({"down", "--dir", dir_});
  ASSERT_EQ(down.code, 0) << down.out;
  // ... and none of it is left; the root namespace's iptables are as they were.
  EXPECT_EQ(Diff(iptables_before, MachineState(scratch_->path(), marks)), "");
  EXPECT_TRUE(ProcessesOf(dir_).empty()) << ProcessesOf(dir_).front();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/nodes"));
}

TEST_F(RealUpDownTest, UpAfterAKilledRunCleansWhatItLeft) {
  const auto iptables_before = MachineState(scratch_->path(), {});
  ASSERT_EQ(LocalClusterCmd({"up", "--dir", dir_, "--nodes", "0", "--real-nodes", "1"}).code, 0);
  ASSERT_NO_FATAL_FAILURE(RunAPod());
  auto marks = MarksOf(dir_);
  // A crash: every process of the cluster killed at once, nothing cleaned up.
  for (const std::string& p : ProcessesOf(dir_)) ::kill(std::stoi(p), SIGKILL);
  Ran up = LocalClusterCmd({"up", "--dir", dir_, "--nodes", "0", "--real-nodes", "1"});
  ASSERT_EQ(up.code, 0) << up.out;
  ASSERT_NO_FATAL_FAILURE(RunAPod());
  for (const auto& m : MarksOf(dir_)) marks.push_back(m);
  ASSERT_EQ(LocalClusterCmd({"down", "--dir", dir_}).code, 0);
  EXPECT_EQ(Diff(iptables_before, MachineState(scratch_->path(), marks)), "");
  EXPECT_TRUE(ProcessesOf(dir_).empty());
}

TEST_F(RealUpDownTest, BadInputFailsWithOneLineThatSaysWhatToDo) {
  Ran nodes = LocalClusterCmd({"up", "--dir", dir_, "--nodes", "0", "--real-nodes", "0"});
  EXPECT_NE(nodes.code, 0);
  EXPECT_NE(nodes.out.find("no nodes; give --nodes N"), std::string::npos) << nodes.out;
  Ran cidr =
      LocalClusterCmd({"up", "--dir", dir_, "--real-nodes", "1", "--service-cidr", "10.96.0.1/12"});
  EXPECT_NE(cidr.code, 0);
  EXPECT_NE(cidr.out.find("is not an IPv4 network such as 10.96.0.0/12"), std::string::npos)
      << cidr.out;
  // Not root: setpriv drops to nobody.
  Ran user = RunCommand({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         script_, "up", "--dir", "/tmp/vc-never-made", "--real-nodes", "1"},
                        scratch_->path());
  EXPECT_NE(user.code, 0);
  EXPECT_NE(user.out.find("--real-nodes needs root"), std::string::npos) << user.out;
  // No cgroup v1 hierarchies: an empty /sys/fs/cgroup in a mount namespace of its own.
  Ran cgroups =
      RunCommand({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                  "mount -t tmpfs none /sys/fs/cgroup && exec '" + script_ + "' up --dir '" + dir_ +
                      "' --nodes 0 --real-nodes 1"},
                 scratch_->path());
  EXPECT_NE(cgroups.code, 0);
  EXPECT_NE(cgroups.out.find("--real-nodes needs the cgroup v1 hierarchies"), std::string::npos)
      << cgroups.out;
  EXPECT_TRUE(ProcessesOf(dir_).empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/real.env"));
}

}  // namespace
}  // namespace vc::testing
