// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/forwarder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <thread>

#include "support/loopback.h"
#include "unit/syncer/syncer_test_util.h"

namespace vc::cli::connect {
namespace {

using syncer::testing::Slurp;
using syncer::testing::Spit;
using syncer::testing::TempDir;

// A /proc/PID/stat line as the kernel writes it; COMM may hold spaces and ')'.
std::string StatLine(int pid, const std::string& comm, char state, long long start) {
  std::string line = std::to_string(pid) + " (" + comm + ") " + state;
  for (int field = 4; field <= 21; ++field) line += " " + std::to_string(field);
  return line + " " + std::to_string(start) + " 23 24\n";
}

void FakeProc(const std::string& root, int pid, const std::string& stat) {
  std::filesystem::create_directories(root + "/" + std::to_string(pid));
  Spit(root + "/" + std::to_string(pid) + "/stat", stat);
}

TEST(ForwarderTest, StartTicksFromStatWithAwkwardCommand) {
  TempDir tmp;
  FakeProc(tmp.path(), 77, StatLine(77, "kube ctl) (x", 'S', 9876543));
  EXPECT_EQ(ProcessStartTicks(77, tmp.path()), 9876543);
  EXPECT_TRUE(ProcessAlive(77, 9876543, tmp.path()));
}

TEST(ForwarderTest, ReusedPidIsNotOurProcess) {
  TempDir tmp;
  FakeProc(tmp.path(), 77, StatLine(77, "kubectl", 'S', 200));
  EXPECT_FALSE(ProcessAlive(77, 100, tmp.path()));  // same pid, another process
}

TEST(ForwarderTest, MissingAndZombieProcessesAreDead) {
  TempDir tmp;
  FakeProc(tmp.path(), 78, StatLine(78, "kubectl", 'Z', 100));
  EXPECT_FALSE(ProcessStartTicks(78, tmp.path()).has_value());
  EXPECT_FALSE(ProcessAlive(79, 100, tmp.path()));
  EXPECT_FALSE(ProcessAlive(0, 0));
}

TEST(ForwarderTest, RealProcessesLiveAndDie) {
  auto self = ProcessStartTicks(getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_TRUE(ProcessAlive(getpid(), *self));
  EXPECT_FALSE(ProcessAlive(getpid(), *self + 1));

  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_FALSE(ProcessStartTicks(child).has_value());  // exited and reaped
}

TEST(ForwarderTest, ArgvNamesHostAndPod) {
  ForwarderSpec spec{.kubeconfig = "/k",
                     .context = "host",
                     .namespace_ = "ns",
                     .pod = "dev-0",
                     .local_port = 4000};
  EXPECT_EQ(ForwarderArgv(spec, "/bin/kubectl"),
            (std::vector<std::string>{"/bin/kubectl", "--kubeconfig=/k", "--context=host", "-n",
                                      "ns", "port-forward", "pod/dev-0", "4000:8443", "--address",
                                      "127.0.0.1"}));
  spec.kubeconfig.clear();
  spec.context.clear();
  EXPECT_EQ(ForwarderArgv(spec, "kubectl")[1], "-n");
}

TEST(ForwarderTest, FindExecutableSearchesPathOfEnv) {
  TempDir tmp;
  Spit(tmp.path() + "/kubectl", "#!/bin/sh\n");
  ::chmod((tmp.path() + "/kubectl").c_str(), 0755);
  auto found = FindExecutable("kubectl", {{"PATH", "/nonexistent:" + tmp.path()}});
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(*found, tmp.path() + "/kubectl");
  auto missing = FindExecutable("kubectl", {{"PATH", "/nonexistent"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("KUBECTL_PATH"), std::string::npos);
}

// The forwarder of pod ns/dev-0 on local port 4000, run by the stand-in kubectl `fake`.
ForwarderSpec StandInSpec(const TempDir& tmp, const std::string& fake) {
  return ForwarderSpec{.kubectl = fake,
                       .namespace_ = "ns",
                       .pod = "dev-0",
                       .local_port = *FreeLoopbackPort(),
                       .log_file = tmp.path() + "/forward.log",
                       .env = {{"PATH", "/usr/bin:/bin"}}};
}

// A stand-in kubectl that logs its arguments and waits: the forwarder is detached (its own
// session, not our child), logs where it was told, and stops on request.
TEST(ForwarderTest, StartsDetachedAndStops) {
  TempDir tmp;
  const std::string fake = tmp.path() + "/kubectl";
  Spit(fake, "#!/bin/sh\necho \"forwarding $*\"\nexec sleep 30\n");
  ::chmod(fake.c_str(), 0755);
  const ForwarderSpec spec = StandInSpec(tmp, fake);
  auto fwd = StartForwarder(spec);
  ASSERT_TRUE(fwd.ok()) << fwd.status().message();
  EXPECT_TRUE(ProcessAlive(fwd->pid, fwd->start_ticks));
  EXPECT_NE(getsid(fwd->pid), getsid(0));              // a session of its own: no terminal of ours
  EXPECT_EQ(waitpid(fwd->pid, nullptr, WNOHANG), -1);  // not our child
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Slurp(spec.log_file).find("pod/dev-0") == std::string::npos &&
         std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // kubectl listens on a port of its own; the user's port is the forwarder's.
  const std::string log = Slurp(spec.log_file);
  EXPECT_NE(log.find("forwarding -n ns port-forward pod/dev-0 "), std::string::npos) << log;
  EXPECT_EQ(log.find(" " + std::to_string(spec.local_port) + ":8443"), std::string::npos) << log;
  EXPECT_NE(log.find(":8443 --address 127.0.0.1"), std::string::npos) << log;
  EXPECT_FALSE(ListenLoopback(spec.local_port).ok()) << "the forwarder holds the user's port";

  // A record with the right pid but another start time is not ours: left alone.
  ASSERT_TRUE(StopForwarder({fwd->pid, fwd->start_ticks + 1}).ok());
  EXPECT_TRUE(ProcessAlive(fwd->pid, fwd->start_ticks));
  ASSERT_TRUE(StopForwarder(*fwd).ok());
  EXPECT_FALSE(ProcessAlive(fwd->pid, fwd->start_ticks));
}

// kubectl port-forward quits for good when one connection fails (an attach the server ended):
// a kubectl that quits after its first kMinRun is replaced under the same recorded process;
// stopping that process stops the kubectl it runs.
TEST(ForwarderTest, StartsKubectlAgainWhenItQuitsAfterServing) {
  TempDir tmp;
  const std::string fake = tmp.path() + "/kubectl";
  const std::string runs = tmp.path() + "/runs";
  Spit(fake, "#!/bin/sh\necho run >> " + runs + "\necho $$ > " + tmp.path() +
                 "/last.pid\nif [ $(wc -l < " + runs +
                 ") -lt 2 ]; then sleep 2.5; echo 'lost connection to pod'; exit 1; fi\n"
                 "exec sleep 30\n");
  ::chmod(fake.c_str(), 0755);
  const ForwarderSpec spec = StandInSpec(tmp, fake);
  auto fwd = StartForwarder(spec);
  ASSERT_TRUE(fwd.ok()) << fwd.status().message();
  auto lines = [&] {
    const std::string all = Slurp(runs);
    return std::count(all.begin(), all.end(), '\n');
  };
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (lines() < 2 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(lines(), 2) << Slurp(spec.log_file);
  EXPECT_TRUE(ProcessAlive(fwd->pid, fwd->start_ticks)) << "the recorded process stays";
  int kubectl_pid = 0;
  while ((kubectl_pid = std::atoi(Slurp(tmp.path() + "/last.pid").c_str())) == 0 ||
         ::kill(kubectl_pid, 0) != 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), end) << "the second kubectl never ran";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(StopForwarder(*fwd).ok());
  EXPECT_FALSE(ProcessAlive(fwd->pid, fwd->start_ticks));
  const auto gone = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ProcessStartTicks(kubectl_pid) && std::chrono::steady_clock::now() < gone) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(ProcessStartTicks(kubectl_pid)) << "kubectl outlived its forwarder";
}

// One request over a fresh loopback connection to `port`: the reply, or "" on any failure.
std::string Request(int port, const std::string& line) {
  return testing::LoopbackExchange(port, line, std::chrono::seconds(20), /*close_write=*/true);
}

// The forwarder relays the user's port through a kubectl port-forward per connection (kubectl
// ends everything it carries when one connection fails): a connection made before kubectl
// listens waits for it instead of being refused, the next connection has a kubectl of its own,
// and a connection's kubectl goes when the connection does. The stand-in "kubectl" is a Python
// server on the port it is given that answers each line with "pid: line".
TEST(ForwarderTest, RelaysEachConnectionThroughAKubectlOfItsOwn) {
  TempDir tmp;
  const std::string fake = tmp.path() + "/kubectl";
  Spit(fake,
       "#!/bin/sh\n"
       "for a in \"$@\"; do case $a in *:8443) port=${a%%:*};; esac; done\n"
       "echo $$ > " +
           tmp.path() +
           "/last.pid\n"
           "sleep 2.5\n"  // past the forwarder's minimum run, so that a quit is restarted
           "exec python3 -c '\n"
           "import socket, os\n"
           "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
           "s.bind((\"127.0.0.1\", '$port')); s.listen(8)\n"
           "while True:\n"
           "    c, _ = s.accept(); line = c.recv(256)\n"
           "    c.sendall(str(os.getpid()).encode() + b\": \" + line); c.close()\n"
           "'\n");
  ::chmod(fake.c_str(), 0755);
  ForwarderSpec spec = StandInSpec(tmp, fake);
  spec.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  auto fwd = StartForwarder(spec);
  ASSERT_TRUE(fwd.ok()) << fwd.status().message();
  // Made before kubectl listens: held, then answered.
  const std::string first = Request(spec.local_port, "hello");
  ASSERT_NE(first.find(": hello"), std::string::npos) << first << Slurp(spec.log_file);
  const int first_kubectl = std::atoi(first.substr(0, first.find(':')).c_str());
  ASSERT_GT(first_kubectl, 0);
  const std::string second = Request(spec.local_port, "again");
  EXPECT_NE(second.find(": again"), std::string::npos) << second << Slurp(spec.log_file);
  EXPECT_NE(std::atoi(second.substr(0, second.find(':')).c_str()), first_kubectl)
      << "answered by another kubectl";
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ProcessStartTicks(first_kubectl) && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(ProcessStartTicks(first_kubectl)) << "a connection's kubectl outlived it";
  ASSERT_TRUE(StopForwarder(*fwd).ok());
}

// A kubectl that quits at once (cannot listen, no such pod) ends the forwarder: connect sees
// the exit and shows the log.
TEST(ForwarderTest, KubectlQuittingAtOnceEndsTheForwarder) {
  TempDir tmp;
  const std::string fake = tmp.path() + "/kubectl";
  Spit(fake, "#!/bin/sh\necho 'unable to listen on any of the requested ports'\nexit 1\n");
  ::chmod(fake.c_str(), 0755);
  const ForwarderSpec spec = StandInSpec(tmp, fake);
  auto fwd = StartForwarder(spec);
  if (!fwd.ok()) {  // it may already be gone when StartForwarder looks
    EXPECT_NE(fwd.status().message().find("unable to listen"), std::string::npos);
    return;
  }
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ProcessAlive(fwd->pid, fwd->start_ticks) && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(ProcessAlive(fwd->pid, fwd->start_ticks));
  EXPECT_NE(Slurp(spec.log_file).find("unable to listen"), std::string::npos);
  EXPECT_EQ(Slurp(spec.log_file).find("starting it again"), std::string::npos);
}

}  // namespace
}  // namespace vc::cli::connect
