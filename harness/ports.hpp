#pragma once
// Free loopback ports for one run: the SUT's SIP and HTTP ports, rtpengine's control ports.
#include <cstdint>
#include <set>

#include "base/error.hpp"

namespace pbxbench::harness {

// Hands out ports free for both UDP and TCP on 127.0.0.1, never the same one twice.
// The kernel picks them (bind to port 0) and the sockets are closed again before the SUT
// binds, so another program could take one in between; on a benchmark machine that is rare
// and shows up as a SUT that fails to start, with its log saying "address in use".
class PortAllocator {
  public:
    // A port that was free for UDP and TCP a moment ago and not handed out before.
    Result<std::uint16_t> allocate();

  private:
    std::set<std::uint16_t> given_;
};

}  // namespace pbxbench::harness
