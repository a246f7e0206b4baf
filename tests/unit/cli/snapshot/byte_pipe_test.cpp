// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/byte_pipe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

namespace vc::cli::snapshot {
namespace {

TEST(BytePipe, StreamsBetweenThreadsWithinCapacity) {
  BytePipe pipe(1000);
  std::string data(100000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919 + 7) % 251);
  std::thread writer([&] {
    for (size_t i = 0; i < data.size(); i += 333) {
      ASSERT_TRUE(pipe.Write(data.data() + i, std::min<size_t>(333, data.size() - i)).ok());
    }
    pipe.Close();
  });
  std::string got;
  char buf[512];
  while (true) {
    auto n = pipe.Read(buf, sizeof buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    got.append(buf, *n);
  }
  writer.join();
  EXPECT_TRUE(got == data);
}

TEST(BytePipe, FailureReachesTheOtherSide) {
  BytePipe pipe(10);
  std::thread reader([&] { pipe.Fail(Unavailable("upload refused")); });
  reader.join();
  Status s = pipe.Write("0123456789abcdef", 16);
  EXPECT_EQ(s.message(), "upload refused");
}

}  // namespace
}  // namespace vc::cli::snapshot
