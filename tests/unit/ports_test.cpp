#include "harness/ports.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pbxbench::harness {
namespace {

TEST(Ports, DistinctAndBindable) {
    PortAllocator ports;
    std::set<std::uint16_t> seen;
    for (int i = 0; i < 20; ++i) {
        auto p = ports.allocate();
        ASSERT_TRUE(p) << p.error().message;
        EXPECT_TRUE(seen.insert(*p).second) << "port " << *p << " handed out twice";
    }
}

}  // namespace
}  // namespace pbxbench::harness
