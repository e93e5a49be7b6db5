#pragma once
// What a UasAgent asks of the media layer, so the agent stays sans-IO: the pool plugs in the
// RTP engine (echo streams), tests plug in a recorder.
#include <cstdint>
#include <optional>
#include <string_view>

#include "sip/transaction_layer.hpp"

namespace pbxbench::uas {

struct MediaSlot {
    std::uint32_t id = 0;
    std::uint16_t port = 0;  // RTP; RTCP on port + 1
    std::uint32_t ssrc = 0;  // announced in our SDP (a=ssrc)
};

class CallMedia {
  public:
    virtual ~CallMedia() = default;
    // A port and SSRC for our answer; nullopt when none is free.
    virtual std::optional<MediaSlot> allocate() = 0;
    // We answered `offer_sdp` at `answered`: echo whatever arrives from now on.
    virtual void start(std::uint32_t id, std::string_view offer_sdp, sip::TimePoint answered) = 0;
    // A later offer or answer (re-INVITE, UPDATE, the answer in an ACK) may have moved the far
    // end's media: echo to its new address and accept packets from it (a direct-media B2BUA
    // moves the caller from its relay to the caller itself).
    virtual void retarget(std::uint32_t id, std::string_view sdp) = 0;
    // The call ended (BYE, CANCEL, never ACKed) or was never answered.
    virtual void end(std::uint32_t id, sip::TimePoint now) = 0;
};

}  // namespace pbxbench::uas
