// SPDX-License-Identifier: Apache-2.0
// kubectl vc create, run in-process against a fake host: --dry-run, and a create that does not
// wait (--no-connect). Waiting and connecting need a control plane that runs, which the fake
// does not have (tests/integration covers them).
#include <fstream>

#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class CreateVerbTest : public VerbTest {
 protected:
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = home_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // What the host's control plane and controllers would do that create waits for: the Tenant
  // definition established, the Service range announced, and the pod the StatefulSet makes
  // (the fake has no controllers, so they are there from the start).
  void PrepareHostFor(const std::string& name, const std::string& ns) {
    api_->Put(r::kCustomResourceDefinitions,
              {{"metadata", {{"name", "tenants.kubectl-vc.dev"}}},
               {"status", {{"conditions", {{{"type", "Established"}, {"status", "True"}}}}}}});
    api_->Put({"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false},
              {{"metadata", {{"name", "kubernetes"}}}, {"spec", {{"cidrs", {"10.96.0.0/12"}}}}});
    api_->Put(r::kPods, {{"metadata", {{"name", name + "-0"}, {"namespace", ns}}}});
  }
};

TEST_F(CreateVerbTest, DryRunPrintsTheObjectsAndNeverContactsTheHost) {
  const RunResult r = Run({"create", "dev", "--dry-run", "-o", "name"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "namespace/vcluster-dev"), lines.end()) << r.out;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "statefulset/dev"), lines.end()) << r.out;
  EXPECT_EQ(connects_, 0);
  EXPECT_TRUE(api_->Requests().empty());
}

TEST_F(CreateVerbTest, DryRunReadsValuesFromStdin) {
  const RunResult r = Run({"create", "dev", "-n", "team", "--dry-run", "-o", "json", "-f", "-"},
                          "controlPlane:\n  distro:\n    k8s:\n      version: v1.35.4\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("kube-apiserver:v1.35.4"), std::string::npos);
  EXPECT_NE(r.out.find("\"namespace\": \"team\""), std::string::npos);
}

TEST_F(CreateVerbTest, ABadValuesFileSaysWhereAndWhatWasMeant) {
  const std::string file = WriteFile("values.yaml", "controlPlane:\n  distor: {}\n");
  const RunResult r = Run({"create", "dev", "--dry-run", "-f", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(file + ":2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("distro"), std::string::npos) << r.err;
}

TEST_F(CreateVerbTest, AMissingValuesFileIsAnErrorBeforeTheHostIsAsked) {
  const RunResult r = Run({"create", "dev", "-f", home_.path() + "/none.yaml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("none.yaml"), std::string::npos) << r.err;
  EXPECT_EQ(api_->CountRequests("PATCH"), 0);
  EXPECT_EQ(api_->CountRequests("POST"), 0);
}

TEST_F(CreateVerbTest, AnInvalidNameIsRefusedOffline) {
  const RunResult r = Run({"create", "Dev_Team"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("invalid virtual cluster name \"Dev_Team\""), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(CreateVerbTest, FlagsThatDoNotGoTogetherAreRefused) {
  RunResult r = Run({"create", "dev", "--dry-run=server"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--dry-run=server: only client is supported"), std::string::npos) << r.err;
  r = Run({"create", "dev", "-o", "yaml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: -o/--output prints the objects of a dry run: add --dry-run\n");
  r = Run({"create", "dev", "--profile", "nobody"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--profile"), std::string::npos) << r.err;
  r = Run({"create", "dev", "--", "kubectl", "get", "ns"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("only connect runs a command after `--`"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(CreateVerbTest, NoConnectAppliesTheObjectsAndSaysHowToWaitAndConnect) {
  PrepareHostFor("dev", "vcluster-dev");
  const RunResult r = Run({"create", "dev", "--no-connect"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("virtual cluster dev is created in namespace vcluster-dev; it starts in "
                       "the background\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("then:        kubectl vc connect dev -n vcluster-dev\n"), std::string::npos)
      << r.err;
  EXPECT_TRUE(StatefulSet("dev", "vcluster-dev").has_value());
  EXPECT_TRUE(api_->Get(r::kNamespaces, "", "vcluster-dev").has_value());
  // Finished: the config Secret carries the mark, so a second create says it exists.
  const RunResult again = Run({"create", "dev", "--no-connect"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("error: virtual cluster dev already exists in namespace vcluster-dev"),
            std::string::npos)
      << again.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
