#include "media/call_media_stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "media/quality.hpp"

using namespace pbxbench::media;

namespace {

constexpr std::int64_t frame_us = 20'000;

// A 10 s call answered at t = 1 s, BYE at 11 s; packets arrive from `first` to `last` (indexes
// of 20 ms slots after the answer), with `skip` slots missing.
ReceiveSnapshot stream(int first, int last, std::initializer_list<int> skip = {}) {
    ReceiveStats stats;
    for (int i = first; i <= last; ++i) {
        if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
        stats.on_packet(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160),
                        1'000'000 + i * frame_us + 30'000, 160);
    }
    return stats.snapshot();
}

CallMediaInputs call(ReceiveSnapshot received, std::uint64_t sent) {
    CallMediaInputs in;
    in.packets_sent = sent;
    in.bytes_sent = sent * 160;
    in.received = received;
    in.peer_sent_packets = sent;  // the echo path: the UAC's own count
    in.rtt_ms = 60.0;
    in.answer_time_us = 1'000'000;
    in.end_time_us = 11'000'000;
    return in;
}

}  // namespace

TEST(CallMediaStats, LossVsSentFormula) {
    EXPECT_DOUBLE_EQ(loss_vs_sent_percent(500, 0), 100.0);
    EXPECT_DOUBLE_EQ(loss_vs_sent_percent(500, 495), 1.0);
    EXPECT_DOUBLE_EQ(loss_vs_sent_percent(500, 510), 0.0);  // clamped
    EXPECT_DOUBLE_EQ(loss_vs_sent_percent(0, 0), 0.0);
}

TEST(CallMediaStats, CleanCall) {
    const auto s = summarize_call(call(stream(0, 499), 500));
    EXPECT_EQ(s.packets_received, 500u);
    EXPECT_EQ(s.packets_received_unique, 500u);
    EXPECT_EQ(s.packets_lost, 0u);
    EXPECT_DOUBLE_EQ(s.loss_percent, 0.0);
    ASSERT_TRUE(s.loss_vs_sent_percent);
    EXPECT_DOUBLE_EQ(*s.loss_vs_sent_percent, 0.0);
    ASSERT_TRUE(s.media_start_delay_ms);
    EXPECT_DOUBLE_EQ(*s.media_start_delay_ms, 30.0);
    EXPECT_FALSE(s.silent);
    EXPECT_FALSE(s.one_way);
    ASSERT_TRUE(s.mos);
    EXPECT_NEAR(*s.mos, estimate_mos(60.0, 0.0, 0.0), 1e-9);
    EXPECT_GT(*s.mos, 4.3);
}

TEST(CallMediaStats, NothingArrivedIsFullLossNotZero) {
    const auto s = summarize_call(call(ReceiveStats().snapshot(), 500));
    EXPECT_EQ(s.packets_expected, 0u);
    EXPECT_DOUBLE_EQ(s.loss_gaps_percent, 0.0);  // gaps cannot see a dead path...
    ASSERT_TRUE(s.loss_vs_sent_percent);
    EXPECT_DOUBLE_EQ(*s.loss_vs_sent_percent, 100.0);  // ...the sender's count can
    EXPECT_DOUBLE_EQ(s.loss_percent, 100.0);
    EXPECT_TRUE(s.silent);
    EXPECT_TRUE(s.one_way);
    EXPECT_DOUBLE_EQ(s.max_silence_ms, 10'000.0);
    EXPECT_FALSE(s.media_start_delay_ms);
    EXPECT_DOUBLE_EQ(*s.mos, 1.0);

    auto no_answer_time = call(ReceiveStats().snapshot(), 500);
    no_answer_time.answer_time_us.reset();
    EXPECT_TRUE(summarize_call(no_answer_time).silent);  // no RTP at all is silent regardless
}

TEST(CallMediaStats, TailLossShowsOnlyAgainstSent) {
    // The last 50 packets never arrive: no gap is visible, but the sender sent 500.
    const auto s = summarize_call(call(stream(0, 449), 500));
    EXPECT_DOUBLE_EQ(s.loss_gaps_percent, 0.0);
    EXPECT_DOUBLE_EQ(*s.loss_vs_sent_percent, 10.0);
    EXPECT_DOUBLE_EQ(s.loss_percent, 10.0);
    EXPECT_LT(*s.mos, estimate_mos(60.0, 0.0, 0.0) - 0.5);
}

TEST(CallMediaStats, GapLongerThanThresholdIsSilent) {
    // 150 slots (3 s) missing in the middle.
    ReceiveStats stats;
    for (int i = 0; i < 500; ++i) {
        if (i >= 100 && i < 250) continue;
        stats.on_packet(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 160),
                        1'000'000 + i * frame_us, 160);
    }
    auto in = call(stats.snapshot(), 500);
    const auto s = summarize_call(in);
    EXPECT_EQ(s.packets_lost, 150u);
    EXPECT_DOUBLE_EQ(s.loss_gaps_percent, 30.0);
    EXPECT_DOUBLE_EQ(s.max_silence_ms, 151 * 20.0);
    EXPECT_TRUE(s.silent);
    EXPECT_FALSE(s.one_way);
    in.silence_threshold_ms = 5000;
    EXPECT_FALSE(summarize_call(in).silent);
}

TEST(CallMediaStats, RecvOnlyCallIsNotOneWay) {
    auto in = call(stream(0, 499), 0);
    in.expect_send = false;
    in.peer_sent_packets.reset();
    const auto s = summarize_call(in);
    EXPECT_FALSE(s.one_way);
    EXPECT_FALSE(s.loss_vs_sent_percent);
    EXPECT_DOUBLE_EQ(s.loss_percent, 0.0);
    in.expect_send = true;  // had we been meant to send, nothing going out is one-way
    EXPECT_TRUE(summarize_call(in).one_way);
}

TEST(CallMediaStats, InactiveCallHasNoMosAndIsNotSilent) {
    CallMediaInputs in;
    in.expect_send = false;
    in.expect_receive = false;
    in.answer_time_us = 0;
    in.end_time_us = 10'000'000;
    const auto s = summarize_call(in);
    EXPECT_FALSE(s.silent);
    EXPECT_FALSE(s.one_way);
    EXPECT_FALSE(s.mos);
}

TEST(CallMediaStats, JsonCarriesUnitsInNames) {
    const auto j = to_json(summarize_call(call(stream(0, 99, {50}), 100)));
    EXPECT_EQ(j.at("packets_lost"), 1);
    EXPECT_EQ(j.at("rtt_ms"), 60.0);
    EXPECT_TRUE(j.at("mos").is_number());
    EXPECT_TRUE(j.contains("jitter_ms"));
    EXPECT_TRUE(j.contains("media_start_delay_ms"));
}

TEST(MediaAggregate, PercentilesTotalsAndMerge) {
    MediaAggregate a;
    MediaAggregate b;
    // 19 clean calls and one dead one, split over two generators.
    for (int i = 0; i < 10; ++i) a.add(summarize_call(call(stream(0, 499), 500)));
    for (int i = 0; i < 9; ++i) b.add(summarize_call(call(stream(0, 499), 500)));
    b.add(summarize_call(call(ReceiveStats().snapshot(), 500)));
    a.merge(b);
    const auto j = a.to_json();
    EXPECT_EQ(j.at("calls"), 20);
    EXPECT_EQ(j.at("packets_sent"), 10'000);
    EXPECT_EQ(j.at("packets_received"), 9'500);
    EXPECT_DOUBLE_EQ(j.at("loss_percent").get<double>(), 5.0);  // 500 of 10000 against sent
    EXPECT_DOUBLE_EQ(j.at("loss_gaps_percent").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(j.at("loss_percent_per_call").at("p50").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(j.at("loss_percent_per_call").at("p95").get<double>(), 0.0);  // rank 19 of 20
    EXPECT_DOUBLE_EQ(j.at("loss_percent_per_call").at("max").get<double>(), 100.0);
    EXPECT_EQ(j.at("jitter_ms").at("count"), 19);  // the dead call has no jitter
    EXPECT_EQ(j.at("rtt_ms").at("count"), 20);
    EXPECT_DOUBLE_EQ(j.at("rtt_ms").at("p95").get<double>(), 60.0);
    EXPECT_EQ(j.at("mos").at("count"), 20);
    EXPECT_DOUBLE_EQ(j.at("mos").at("p5").get<double>(),
                     1.0);  // the dead call is the 5th percentile
    const double clean_mos = estimate_mos(60.0, 0.0, 0.0);
    EXPECT_NEAR(j.at("mos").at("mean").get<double>(), (19 * clean_mos + 1.0) / 20, 1e-9);
    EXPECT_EQ(j.at("silent_calls"), 1);
    EXPECT_EQ(j.at("one_way_calls"), 1);
}

TEST(MediaAggregate, EmptyIsAllZero) {
    const auto j = MediaAggregate().to_json();
    EXPECT_EQ(j.at("calls"), 0);
    EXPECT_DOUBLE_EQ(j.at("loss_percent").get<double>(), 0.0);
    EXPECT_EQ(j.at("mos").at("count"), 0);
    EXPECT_DOUBLE_EQ(j.at("mos").at("p5").get<double>(), 0.0);
}
