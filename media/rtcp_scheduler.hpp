#pragma once
// When to send the next RTCP report: RFC 3550 §6.3 and the rtcp_interval() of Appendix A.7.
// Deterministic given its random source, so tests can pin the randomization.
#include <cstddef>
#include <cstdint>

namespace pbxbench::media {

// A small seeded generator (SplitMix64) for the 0.5–1.5 randomization; one per stream so calls
// do not synchronise their reports.
class UniformSource {
  public:
    explicit UniformSource(std::uint64_t seed) : state_(seed) {}
    // A value in [0, 1).
    double next();

  private:
    std::uint64_t state_;
};

// The inputs of A.7's rtcp_interval().
struct RtcpIntervalInputs {
    int members = 2;
    int senders = 2;
    double rtcp_bandwidth_bytes_per_s = 500;  // 5% of the session bandwidth
    bool we_sent = true;
    double avg_rtcp_size_bytes = 100;  // including IP and UDP headers
    bool initial = false;              // before our first report: minimum halved
    double min_interval_s = 5.0;       // 5 s, or the reduced minimum (§6.2)
};

// A.7: the deterministic interval scaled by 0.5 + `uniform01` and divided by e − 3/2 (the
// compensation for timer reconsideration making the mean interval shorter than intended).
double rtcp_interval_s(const RtcpIntervalInputs& in, double uniform01);

struct RtcpSchedulerConfig {
    // IP+UDP+RTP+PCMU at 50 packets/s: (20 + 8 + 12 + 160) × 8 × 50 = 80 kbit/s.
    double session_bandwidth_kbps = 80.0;
    // §6.2's reduced minimum, 360 / session kbit/s seconds, instead of 5 s.
    bool reduced_minimum = false;
};

// Schedules one stream's reports in a two-party session (members = 2, as for a call; timer
// reconsideration is moot when membership never changes). Times are microseconds on the
// caller's monotonic clock.
class RtcpScheduler {
  public:
    RtcpScheduler(RtcpSchedulerConfig config, UniformSource random);

    // Schedules the first report (`initial`: half the minimum interval) from `now_us`.
    void start(std::int64_t now_us);

    // Whether the next report is due at `now_us`, and when it is.
    bool due(std::int64_t now_us) const { return now_us >= next_due_us_; }
    std::int64_t next_due_us() const { return next_due_us_; }

    // After we sent a compound packet of `packet_bytes` (UDP payload) at `now_us`.
    void on_sent(std::int64_t now_us, std::size_t packet_bytes, bool we_sent_rtp);

    // After a compound packet of `packet_bytes` (UDP payload) arrived: feeds the average size.
    void on_received(std::size_t packet_bytes);

    // A.7's avg_rtcp_size, IP and UDP headers included.
    double avg_rtcp_size_bytes() const { return avg_rtcp_size_bytes_; }

  private:
    void update_average(std::size_t packet_bytes);
    std::int64_t interval_us(bool initial, bool we_sent);

    RtcpSchedulerConfig config_;
    UniformSource random_;
    double avg_rtcp_size_bytes_;
    std::int64_t next_due_us_ = 0;
};

}  // namespace pbxbench::media
