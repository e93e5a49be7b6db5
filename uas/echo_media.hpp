#pragma once
// CallMedia on the RTP engine: every answered call gets an echo stream that returns each
// packet to its source (symmetric RTP) with our own SSRC, sequence numbers and timestamps.
#include "media/media_engine.hpp"
#include "uas/call_media.hpp"

namespace pbxbench::uas {

class EchoMedia final : public CallMedia {
  public:
    explicit EchoMedia(media::MediaEngine& engine) : engine_(engine) {}

    std::optional<MediaSlot> allocate() override;
    void start(std::uint32_t id, std::string_view offer_sdp, sip::TimePoint answered) override;
    void moved(std::uint32_t id, std::string_view peer_sdp, sip::TimePoint now) override;
    void end(std::uint32_t id, sip::TimePoint now) override;

  private:
    media::MediaEngine& engine_;
};

}  // namespace pbxbench::uas
