#include "media/rtcp_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace pbxbench::media {

namespace {

constexpr double sender_bw_fraction = 0.25;
constexpr double receiver_bw_fraction = 0.75;
constexpr double compensation = 2.71828 - 1.5;  // A.7's e − 3/2
constexpr double ip_udp_header_bytes = 28;      // §6.2: averages include lower-layer headers
constexpr double rtcp_share = 0.05;             // §6.2: RTCP gets 5% of the session bandwidth

}  // namespace

double UniformSource::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
}

double rtcp_interval_s(const RtcpIntervalInputs& in, double uniform01) {
    double min_time = in.min_interval_s;
    if (in.initial) min_time /= 2;
    double bandwidth = in.rtcp_bandwidth_bytes_per_s;
    double n = in.members;
    // Senders get a quarter of the RTCP bandwidth only when they are a minority (≤ 25%);
    // with both parties of a call sending, everyone shares it equally.
    if (in.senders <= in.members * sender_bw_fraction) {
        if (in.we_sent) {
            bandwidth *= sender_bw_fraction;
            n = in.senders;
        } else {
            bandwidth *= receiver_bw_fraction;
            n -= in.senders;
        }
    }
    double t = bandwidth > 0 ? in.avg_rtcp_size_bytes * n / bandwidth : min_time;
    t = std::max(t, min_time);
    t *= uniform01 + 0.5;
    return t / compensation;
}

RtcpScheduler::RtcpScheduler(RtcpSchedulerConfig config, UniformSource random)
    : config_(config),
      random_(random),
      // Our own first compound (SR + one block + CNAME) is about 70 bytes + headers.
      avg_rtcp_size_bytes_(100) {}

std::int64_t RtcpScheduler::interval_us(bool initial, bool we_sent) {
    RtcpIntervalInputs in;
    in.rtcp_bandwidth_bytes_per_s = config_.session_bandwidth_kbps * 1000.0 / 8.0 * rtcp_share;
    in.we_sent = we_sent;
    in.avg_rtcp_size_bytes = avg_rtcp_size_bytes_;
    in.initial = initial;
    in.min_interval_s = config_.reduced_minimum && config_.session_bandwidth_kbps > 0
                            ? 360.0 / config_.session_bandwidth_kbps
                            : 5.0;
    return std::llround(rtcp_interval_s(in, random_.next()) * 1e6);
}

void RtcpScheduler::start(std::int64_t now_us) {
    next_due_us_ = now_us + interval_us(true, true);
}

void RtcpScheduler::update_average(std::size_t packet_bytes) {
    avg_rtcp_size_bytes_ +=
        (static_cast<double>(packet_bytes) + ip_udp_header_bytes - avg_rtcp_size_bytes_) / 16.0;
}

void RtcpScheduler::on_sent(std::int64_t now_us, std::size_t packet_bytes, bool we_sent_rtp) {
    update_average(packet_bytes);
    next_due_us_ = now_us + interval_us(false, we_sent_rtp);
}

void RtcpScheduler::on_received(std::size_t packet_bytes) {
    update_average(packet_bytes);
}

}  // namespace pbxbench::media
