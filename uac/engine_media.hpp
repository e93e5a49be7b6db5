#pragma once
// UacMedia on the real RTP engine: builds each call's StreamSpec from the SDP answer.
#include "media/media_engine.hpp"
#include "uac/batch_options.hpp"
#include "uac/uac_media.hpp"

namespace pbxbench::uac {

class EngineMedia final : public UacMedia {
  public:
    EngineMedia(media::MediaEngine& engine, const BatchOptions& options)
        : engine_(engine), options_(options) {}

    std::optional<UacMediaSlot> allocate() override;
    void start(std::uint32_t id, const sip::MediaEndpoint& remote, sip::TimePoint now) override;
    void retarget(std::uint32_t id, const sip::MediaEndpoint& remote) override;
    void set_directions(std::uint32_t id, bool may_send, bool expect_receive,
                        sip::TimePoint now) override {
        engine_.set_directions(id, may_send, expect_receive, media::to_us(now));
    }
    void stop_sending(std::uint32_t id) override { engine_.stop_sending(id); }
    std::optional<UacRtpSource> rtp_source(std::uint32_t id) const override;
    std::optional<UacReceiveProgress> receive_progress(std::uint32_t id) const override;
    void end(std::uint32_t id, sip::TimePoint now) override;
    std::size_t streams() const override { return engine_.streams(); }
    std::chrono::milliseconds linger() const override { return options_.media_engine.linger; }

  private:
    media::MediaEngine& engine_;
    const BatchOptions& options_;
};

}  // namespace pbxbench::uac
