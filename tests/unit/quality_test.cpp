#include "media/quality.hpp"

#include <gtest/gtest.h>

using namespace pbxbench::media;

TEST(Quality, DefaultRIs93Point2AndMos4Point41) {
    // G.107 with every default and no delay or loss: R = 93.2.
    EXPECT_NEAR(r_factor({0, 0, 1}), 93.2, 0.05);
    EXPECT_NEAR(mos_from_r(93.2), 4.41, 0.005);
    // Our best case adds the 20 ms jitter buffer floor and 20 ms packetization: still ≈ 4.4.
    EXPECT_NEAR(estimate_mos(0.0, 0.0, 0.0), 4.39, 0.02);
}

TEST(Quality, MosFromRPiecewise) {
    EXPECT_DOUBLE_EQ(mos_from_r(-5), 1.0);
    EXPECT_DOUBLE_EQ(mos_from_r(0), 1.0);
    EXPECT_DOUBLE_EQ(mos_from_r(100), 4.5);
    EXPECT_DOUBLE_EQ(mos_from_r(120), 4.5);
    // 1 + 0.035·50 + 50·(−10)·50·7e−6 = 2.575
    EXPECT_NEAR(mos_from_r(50), 2.575, 1e-12);
}

TEST(Quality, EffectiveEquipmentImpairment) {
    EXPECT_DOUBLE_EQ(effective_equipment_impairment(0, 1), 0.0);
    // 95 · 5 / (5 + 25.1) = 15.78
    EXPECT_NEAR(effective_equipment_impairment(5, 1), 95.0 * 5 / 30.1, 1e-9);
    EXPECT_NEAR(effective_equipment_impairment(5, 1, g711_without_plc), 95.0 * 5 / 9.3, 1e-9);
    // Bursty loss hurts more than random loss at the same rate.
    EXPECT_GT(effective_equipment_impairment(5, 2), effective_equipment_impairment(5, 1));
}

TEST(Quality, DelayImpairmentFollowsG107) {
    // Idd is zero up to 100 ms; at 200 ms X = 1: 25·(2^(1/6) − 3·(1 + 3^−6)^(1/6) + 2) ≈ 3.0.
    const double id_100 = delay_impairment(100);
    const double id_200 = delay_impairment(200);
    EXPECT_LT(id_100, 3.0);  // echo terms only
    EXPECT_GT(id_200 - id_100, 3.0);
    // Around 150 ms one way, G.114's comfort limit, R drops by roughly 4-6 points.
    EXPECT_NEAR(r_factor({150, 0, 1}), 93.2 - 5, 2.5);
    EXPECT_NEAR(r_factor({400, 0, 1}), 93.2 - 28, 5);
}

TEST(Quality, DelayTermsMatchHandComputedValues) {
    // Worked by hand from G.107 §7.3 with the default TELR 65, WEPL 110, Ro 94.77 (docs/media.md).
    EXPECT_DOUBLE_EQ(absolute_delay_impairment(100), 0.0);
    EXPECT_NEAR(absolute_delay_impairment(150), 0.163, 0.002);  // X = 0.585
    EXPECT_NEAR(absolute_delay_impairment(200), 3.044, 0.002);  // X = 1
    EXPECT_NEAR(absolute_delay_impairment(400), 24.08, 0.01);   // X = 2
    EXPECT_DOUBLE_EQ(talker_echo_impairment(0), 0.0);
    EXPECT_NEAR(talker_echo_impairment(60), 1.22, 0.02);
    EXPECT_NEAR(talker_echo_impairment(100), 1.97, 0.02);
    EXPECT_NEAR(listener_echo_impairment(0), 0.149, 0.002);
    EXPECT_NEAR(listener_echo_impairment(120), 0.61, 0.02);
}

TEST(Quality, MosDecreasesMonotonicallyWithLoss) {
    double previous = 5;
    for (double loss = 0; loss <= 30; loss += 0.5) {
        const double mos = estimate_mos(40.0, 2.0, loss);
        ASSERT_LT(mos, previous) << "loss " << loss;
        previous = mos;
    }
}

TEST(Quality, MosDecreasesMonotonicallyWithDelay) {
    double previous = 5;
    for (double rtt = 0; rtt <= 1000; rtt += 10) {
        const double mos = estimate_mos(rtt, 2.0, 0.0);
        ASSERT_LT(mos, previous) << "rtt " << rtt;
        previous = mos;
    }
}

TEST(Quality, FivePercentRandomLossIsClearlyWorse) {
    const double clean = estimate_mos(40.0, 2.0, 0.0);
    const double lossy = estimate_mos(40.0, 2.0, 5.0);
    EXPECT_GT(clean, 4.3);
    EXPECT_LT(lossy, clean - 0.4);
    EXPECT_NEAR(lossy, 3.9, 0.15);  // R ≈ 93.2 − 1.8 − 15.8
}

TEST(Quality, DelayInputs) {
    EXPECT_DOUBLE_EQ(jitter_buffer_ms(3), 20.0);
    EXPECT_DOUBLE_EQ(jitter_buffer_ms(15), 30.0);
    EXPECT_DOUBLE_EQ(mouth_to_ear_delay_ms(std::nullopt, 0), 40.0);
    EXPECT_DOUBLE_EQ(mouth_to_ear_delay_ms(100.0, 15), 50.0 + 30.0 + 20.0);
}
