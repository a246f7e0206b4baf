// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vc/kube/watch.h"

namespace vc::kube {
namespace {

std::string Event(const std::string& type, const std::string& name, const std::string& rv) {
  nlohmann::json e = {{"type", type},
                      {"object", {{"metadata", {{"name", name}, {"resourceVersion", rv}}}}}};
  return e.dump() + "\n";
}

struct Seen {
  std::vector<std::string> events;
  WatchHandler handler() {
    return [this](const WatchEvent& e) {
      events.push_back(std::string(WatchEventTypeName(e.type)) + ":" +
                       e.object["metadata"]["name"].get<std::string>());
      return true;
    };
  }
};

TEST(WatchDecoderTest, EventsSplitAtEveryByte) {
  const std::string stream = Event("ADDED", "a", "1") + Event("MODIFIED", "a", "2") +
                             Event("BOOKMARK", "", "3") + Event("DELETED", "a", "4");
  WatchDecoder decoder;
  Seen seen;
  for (char c : stream) ASSERT_TRUE(decoder.Feed(std::string_view(&c, 1), seen.handler()).ok());
  EXPECT_EQ(seen.events,
            (std::vector<std::string>{"ADDED:a", "MODIFIED:a", "BOOKMARK:", "DELETED:a"}));
  EXPECT_EQ(decoder.pending(), 0u);
}

TEST(WatchDecoderTest, SeveralEventsInOneChunkAndATail) {
  const std::string tail = Event("ADDED", "c", "3");
  const std::string chunk1 =
      Event("ADDED", "a", "1") + Event("ADDED", "b", "2") + tail.substr(0, 10);
  WatchDecoder decoder;
  Seen seen;
  ASSERT_TRUE(decoder.Feed(chunk1, seen.handler()).ok());
  EXPECT_EQ(seen.events.size(), 2u);
  EXPECT_EQ(decoder.pending(), 10u);
  ASSERT_TRUE(decoder.Feed(tail.substr(10), seen.handler()).ok());
  EXPECT_EQ(seen.events.back(), "ADDED:c");
}

TEST(WatchDecoderTest, ErrorEventCarriesStatus) {
  nlohmann::json e = {{"type", "ERROR"},
                      {"object", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}}};
  WatchDecoder decoder;
  std::vector<WatchEvent> got;
  ASSERT_TRUE(decoder
                  .Feed(e.dump() + "\n",
                        [&](const WatchEvent& ev) {
                          got.push_back(ev);
                          return true;
                        })
                  .ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, WatchEventType::kError);
  EXPECT_EQ(got[0].object["code"], 410);
}

TEST(WatchDecoderTest, HandlerStops) {
  WatchDecoder decoder;
  int n = 0;
  ASSERT_TRUE(decoder
                  .Feed(Event("ADDED", "a", "1") + Event("ADDED", "b", "2"),
                        [&](const WatchEvent&) { return ++n < 1; })
                  .ok());
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(decoder.stopped());
}

TEST(WatchDecoderTest, GarbageIsAnError) {
  WatchDecoder decoder;
  Seen seen;
  Status s = decoder.Feed("<html>proxy error</html>\n", seen.handler());
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(decoder.Feed("{\"type\":\"NOPE\",\"object\":{}}\n", seen.handler()).code(),
            Code::kInternal);
}

}  // namespace
}  // namespace vc::kube
