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
    // The peer's SDP changed in the dialog (a re-INVITE or UPDATE offer, or the answer in an
    // ACK): its media may now come from elsewhere (a PBX moving the media path), so the echo
    // must follow it without counting the switch as loss (a per-call socket connected to the
    // old source would drop the new one's packets).
    virtual void moved(std::uint32_t id, std::string_view peer_sdp, sip::TimePoint now) = 0;
    // The call ended (BYE, CANCEL, never ACKed) or was never answered.
    virtual void end(std::uint32_t id, sip::TimePoint now) = 0;
};

}  // namespace pbxbench::uas
