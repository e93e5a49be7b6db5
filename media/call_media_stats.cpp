#include "media/call_media_stats.hpp"

#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "base/distribution.hpp"
#include "media/quality.hpp"

namespace pbxbench::media {

namespace {

double percent(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// {p50, p95, max} by nearest rank, plus the count when some calls may lack the figure.
nlohmann::json spread(std::vector<double> values, bool with_count) {
    std::sort(values.begin(), values.end());
    nlohmann::json j = {{"p50", nearest_rank(values, 50)},
                        {"p95", nearest_rank(values, 95)},
                        {"max", values.empty() ? 0.0 : values.back()}};
    if (with_count) j["count"] = values.size();
    return j;
}

}  // namespace

double loss_vs_sent_percent(std::uint64_t sent, std::uint64_t received_unique) {
    if (sent == 0) return 0;
    if (received_unique >= sent) return 0;
    return percent(sent - received_unique, sent);
}

CallMediaStats summarize_call(const CallMediaInputs& in) {
    const ReceiveSnapshot& r = in.received;
    CallMediaStats s;
    s.packets_sent = in.packets_sent;
    s.bytes_sent = in.bytes_sent;
    s.packets_received = r.packets;
    s.bytes_received = r.bytes;
    s.packets_received_unique = r.received_unique;
    s.packets_expected = static_cast<std::uint64_t>(std::max<std::int64_t>(r.expected, 0));
    s.packets_lost = static_cast<std::uint64_t>(std::max<std::int64_t>(r.lost, 0));
    s.loss_gaps_percent = percent(s.packets_lost, s.packets_expected);
    s.peer_sent_packets = in.peer_sent_packets;
    if (in.peer_sent_packets)
        s.loss_vs_sent_percent = loss_vs_sent_percent(*in.peer_sent_packets, r.received_unique);
    // Gaps alone cannot see a path that delivered nothing; the sender's count can.
    s.loss_percent = s.loss_vs_sent_percent.value_or(s.loss_gaps_percent);
    s.duplicates = r.duplicates;
    s.reordered = r.reordered;
    s.jitter_ms = r.jitter_units * 1000.0 / in.clock_hz;
    s.jitter_max_ms = r.jitter_max_units * 1000.0 / in.clock_hz;
    s.rtt_ms = in.rtt_ms;
    s.dtmf_sent = in.dtmf_sent;
    s.dtmf_received = in.dtmf_received;

    const bool got_media = r.received_unique > 0;
    if (got_media && in.answer_time_us) {
        s.media_start_delay_ms =
            static_cast<double>(r.first_arrival_us - *in.answer_time_us) / 1000.0;
    }
    if (in.expect_receive) {
        std::int64_t silence_us = 0;
        if (!got_media) {
            silence_us = in.answer_time_us ? in.end_time_us - *in.answer_time_us : 0;
        } else {
            silence_us = std::max(r.max_gap_us, in.end_time_us - r.last_arrival_us);
            if (in.answer_time_us)
                silence_us = std::max(silence_us, r.first_arrival_us - *in.answer_time_us);
            if (in.max_silence_us) silence_us = *in.max_silence_us;
        }
        s.max_silence_ms = static_cast<double>(std::max<std::int64_t>(silence_us, 0)) / 1000.0;
        s.silent = !got_media || s.max_silence_ms > static_cast<double>(in.silence_threshold_ms);
        s.mos = got_media ? estimate_mos(in.rtt_ms, s.jitter_ms, s.loss_percent) : 1.0;
    }
    s.one_way = in.expect_send && in.expect_receive && ((in.packets_sent > 0) != got_media);
    return s;
}

nlohmann::json to_json(const CallMediaStats& s) {
    return {{"packets_sent", s.packets_sent},
            {"bytes_sent", s.bytes_sent},
            {"packets_received", s.packets_received},
            {"bytes_received", s.bytes_received},
            {"packets_received_unique", s.packets_received_unique},
            {"packets_expected", s.packets_expected},
            {"packets_lost", s.packets_lost},
            {"loss_gaps_percent", s.loss_gaps_percent},
            {"peer_sent_packets", optional_json(s.peer_sent_packets)},
            {"loss_vs_sent_percent", optional_json(s.loss_vs_sent_percent)},
            {"loss_percent", s.loss_percent},
            {"duplicates", s.duplicates},
            {"reordered", s.reordered},
            {"jitter_ms", s.jitter_ms},
            {"jitter_max_ms", s.jitter_max_ms},
            {"rtt_ms", optional_json(s.rtt_ms)},
            {"media_start_delay_ms", optional_json(s.media_start_delay_ms)},
            {"max_silence_ms", s.max_silence_ms},
            {"silent", s.silent},
            {"one_way", s.one_way},
            {"dtmf_sent", s.dtmf_sent},
            {"dtmf_received", s.dtmf_received},
            {"mos", optional_json(s.mos)}};
}

void MediaAggregate::add(const CallMediaStats& c) {
    ++calls_;
    packets_sent_ += c.packets_sent;
    bytes_sent_ += c.bytes_sent;
    packets_received_ += c.packets_received;
    bytes_received_ += c.bytes_received;
    packets_received_unique_ += c.packets_received_unique;
    packets_expected_ += c.packets_expected;
    packets_lost_ += c.packets_lost;
    if (c.peer_sent_packets) {
        peer_sent_packets_ += *c.peer_sent_packets;
        const std::uint64_t lost =
            *c.peer_sent_packets - std::min(*c.peer_sent_packets, c.packets_received_unique);
        lost_vs_sent_packets_ += lost;
        loss_reference_packets_ += *c.peer_sent_packets;
        loss_reference_lost_ += lost;
    } else {
        loss_reference_packets_ += c.packets_expected;
        loss_reference_lost_ += c.packets_lost;
    }
    duplicates_ += c.duplicates;
    reordered_ += c.reordered;
    silent_calls_ += c.silent ? 1 : 0;
    one_way_calls_ += c.one_way ? 1 : 0;
    dtmf_sent_ += c.dtmf_sent;
    dtmf_received_ += c.dtmf_received;
    loss_percent_.push_back(c.loss_percent);
    // A call that received nothing has no jitter to speak of; its loss and MOS already show it.
    if (c.packets_received_unique > 0) jitter_ms_.push_back(c.jitter_ms);
    if (c.rtt_ms) rtt_ms_.push_back(*c.rtt_ms);
    if (c.mos) mos_.push_back(*c.mos);
    if (c.media_start_delay_ms) media_start_delay_ms_.push_back(*c.media_start_delay_ms);
}

void MediaAggregate::merge(const MediaAggregate& o) {
    calls_ += o.calls_;
    packets_sent_ += o.packets_sent_;
    bytes_sent_ += o.bytes_sent_;
    packets_received_ += o.packets_received_;
    bytes_received_ += o.bytes_received_;
    packets_received_unique_ += o.packets_received_unique_;
    packets_expected_ += o.packets_expected_;
    packets_lost_ += o.packets_lost_;
    peer_sent_packets_ += o.peer_sent_packets_;
    lost_vs_sent_packets_ += o.lost_vs_sent_packets_;
    loss_reference_packets_ += o.loss_reference_packets_;
    loss_reference_lost_ += o.loss_reference_lost_;
    duplicates_ += o.duplicates_;
    reordered_ += o.reordered_;
    silent_calls_ += o.silent_calls_;
    one_way_calls_ += o.one_way_calls_;
    dtmf_sent_ += o.dtmf_sent_;
    dtmf_received_ += o.dtmf_received_;
    auto append = [](std::vector<double>& to, const std::vector<double>& from) {
        to.insert(to.end(), from.begin(), from.end());
    };
    append(loss_percent_, o.loss_percent_);
    append(jitter_ms_, o.jitter_ms_);
    append(rtt_ms_, o.rtt_ms_);
    append(mos_, o.mos_);
    append(media_start_delay_ms_, o.media_start_delay_ms_);
}

nlohmann::json MediaAggregate::to_json() const {
    std::vector<double> mos = mos_;
    std::sort(mos.begin(), mos.end());
    const double mos_mean = mos.empty() ? 0.0
                                        : std::accumulate(mos.begin(), mos.end(), 0.0) /
                                              static_cast<double>(mos.size());
    return {{"calls", calls_},
            {"packets_sent", packets_sent_},
            {"bytes_sent", bytes_sent_},
            {"packets_received", packets_received_},
            {"bytes_received", bytes_received_},
            {"packets_received_unique", packets_received_unique_},
            {"packets_lost", packets_lost_},
            {"duplicates", duplicates_},
            {"reordered", reordered_},
            {"loss_percent", percent(loss_reference_lost_, loss_reference_packets_)},
            {"loss_gaps_percent", percent(packets_lost_, packets_expected_)},
            {"loss_vs_sent_percent", percent(lost_vs_sent_packets_, peer_sent_packets_)},
            {"loss_percent_per_call", spread(loss_percent_, false)},
            {"jitter_ms", spread(jitter_ms_, true)},
            {"rtt_ms", spread(rtt_ms_, true)},
            {"mos", {{"count", mos.size()}, {"mean", mos_mean}, {"p5", nearest_rank(mos, 5)}}},
            {"media_start_delay_ms", spread(media_start_delay_ms_, true)},
            {"silent_calls", silent_calls_},
            {"one_way_calls", one_way_calls_},
            {"dtmf_sent", dtmf_sent_},
            {"dtmf_received", dtmf_received_}};
}

}  // namespace pbxbench::media
