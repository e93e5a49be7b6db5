#pragma once
// What the UAC call core asks of the media layer, so the core stays sans-IO: CallBatch plugs
// in the RTP engine (EngineMedia), unit tests plug in a recorder.
#include <chrono>
#include <cstdint>
#include <optional>

#include "sip/address.hpp"
#include "sip/sdp.hpp"
#include "sip/transaction_layer.hpp"

namespace pbxbench::uac {

struct UacMediaSlot {
    std::uint32_t id = 0;
    std::uint16_t port = 0;  // RTP; RTCP on port + 1
    std::uint32_t ssrc = 0;  // announced in our SDP (a=ssrc)
};

struct UacRtpSource {
    sip::Address last;          // where the call's RTP last came from
    std::uint32_t changes = 0;  // times the source changed mid-call
};

// What a stream received so far (early media before the answer).
struct UacReceiveProgress {
    std::uint64_t packets = 0;
    std::optional<sip::TimePoint> first_arrival;
};

class UacMedia {
  public:
    virtual ~UacMedia() = default;
    // A port and SSRC for our offer; nullopt when none is free.
    virtual std::optional<UacMediaSlot> allocate() = 0;
    // The far end answered with `remote`: send from now on and measure what comes back.
    virtual void start(std::uint32_t id, const sip::MediaEndpoint& remote, sip::TimePoint now) = 0;
    // A re-INVITE or UPDATE moved the far end's media: send there from now on.
    virtual void retarget(std::uint32_t id, const sip::MediaEndpoint& remote) = 0;
    // Our hold or resume changed the directions: send only if `may_send`, and expect RTP
    // back only if `expect_receive` (media::MediaStream::set_directions).
    virtual void set_directions(std::uint32_t id, bool may_send, bool expect_receive,
                                sip::TimePoint now) = 0;
    // Our BYE is going out: no more RTP.
    virtual void stop_sending(std::uint32_t id) = 0;
    virtual std::optional<UacRtpSource> rtp_source(std::uint32_t id) const = 0;
    // RTP received so far on a started stream; nullopt if it never started.
    virtual std::optional<UacReceiveProgress> receive_progress(std::uint32_t id) const = 0;
    // The call ended (or was never answered): figures join the aggregate after the linger.
    virtual void end(std::uint32_t id, sip::TimePoint now) = 0;
    // Streams allocated and not yet freed, and how long ended ones linger.
    virtual std::size_t streams() const = 0;
    virtual std::chrono::milliseconds linger() const = 0;
};

}  // namespace pbxbench::uac
