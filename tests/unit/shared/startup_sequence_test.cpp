// SPDX-License-Identifier: Apache-2.0
// StartupSequence: steps in order, each teardown only after its own step succeeded, in reverse;
// the first failure annotated with its step's name; StopHere ends the sequence successfully.
#include "vc/startup_sequence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vc {
namespace {

using Names = std::vector<std::string>;

// A step that logs its name and returns `result`, with a teardown that logs "undo NAME".
void AddLoggedStep(StartupSequence* seq, Names* log, const std::string& name,
                   const StepResult& result = StepResult::Ok(), const Status& undo = Status::Ok()) {
  seq->AddStep(
      name, [log, name, result] { return log->push_back(name), result; },
      {"undo " + name, [log, name, undo] { return log->push_back("undo " + name), undo; }});
}

TEST(StartupSequenceTest, RunsStepsThenTheirTeardownsInReverse) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "a");
  AddLoggedStep(&seq, &log, "b");
  EXPECT_TRUE(seq.Run().ok());
  EXPECT_EQ(log, (Names{"a", "b", "undo b", "undo a"}));
  EXPECT_EQ(seq.ran(), log);
  EXPECT_EQ(seq.stopped_at(), "");
}

TEST(StartupSequenceTest, AStepWithoutTeardownIsSkippedOnTheWayBack) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "open");
  seq.AddStep("wait", [&] { return log.push_back("wait"), Status::Ok(); });
  EXPECT_TRUE(seq.Run().ok());
  EXPECT_EQ(log, (Names{"open", "wait", "undo open"}));
  EXPECT_EQ(seq.ran(), log);
}

TEST(StartupSequenceTest, FailureStopsTheStepsAndUndoesOnlyThoseThatSucceeded) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "listen");
  AddLoggedStep(&seq, &log, "load", Unavailable("refused"));
  AddLoggedStep(&seq, &log, "never");
  Status s = seq.Run();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "load: refused");
  // "load" failed: it undid its own partial work, so its teardown does not run.
  EXPECT_EQ(log, (Names{"listen", "load", "undo listen"}));
  EXPECT_EQ(seq.ran(), log);
}

TEST(StartupSequenceTest, TheStepsFailureWinsOverATeardownsFailure) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "close", StepResult::Ok(), Internal("close failed"));
  AddLoggedStep(&seq, &log, "load", Unavailable("refused"));
  Status s = seq.Run();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "load: refused");
  EXPECT_EQ(log, (Names{"close", "load", "undo close"}));
}

TEST(StartupSequenceTest, EveryTeardownRunsWhenOneFailsAndTheFirstFailureIsReturned) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "a", StepResult::Ok(), Internal("a stuck"));
  AddLoggedStep(&seq, &log, "b", StepResult::Ok(), Internal("b stuck"));
  AddLoggedStep(&seq, &log, "c");
  Status s = seq.Run();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "undo b: b stuck");
  EXPECT_EQ(log, (Names{"a", "b", "c", "undo c", "undo b", "undo a"}));
}

TEST(StartupSequenceTest, StopHereEndsSuccessfullyAndUndoesWhatRan) {
  StartupSequence seq;
  Names log;
  AddLoggedStep(&seq, &log, "load config");
  AddLoggedStep(&seq, &log, "print version", StepResult::StopHere());
  AddLoggedStep(&seq, &log, "serve");
  EXPECT_TRUE(seq.Run().ok());
  EXPECT_EQ(log, (Names{"load config", "print version", "undo print version", "undo load config"}));
  EXPECT_EQ(seq.stopped_at(), "print version");
}

TEST(StartupSequenceTest, AnEmptySequenceSucceeds) {
  StartupSequence seq;
  EXPECT_TRUE(seq.Run().ok());
  EXPECT_TRUE(seq.ran().empty());
}

}  // namespace
}  // namespace vc
