#include "media/dtmf.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace pbxbench::media {

namespace {

constexpr std::string_view digit_chars = "0123456789*#ABCD";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "1s", "2.5s", "800ms" → milliseconds.
std::optional<std::int64_t> parse_offset_ms(std::string_view t) {
    double scale_ms = 1000;
    if (t.ends_with("ms")) {
        scale_ms = 1;
        t.remove_suffix(2);
    } else if (t.ends_with("s")) {
        t.remove_suffix(1);
    } else {
        return std::nullopt;
    }
    if (t.empty() || !std::all_of(t.begin(), t.end(),
                                  [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
        return std::nullopt;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size() || value * scale_ms > 86'400'000.0)
        return std::nullopt;
    return static_cast<std::int64_t>(value * scale_ms + 0.5);
}

}  // namespace

PacketResult<TelephoneEvent> decode_telephone_event(std::span<const std::uint8_t> payload) {
    if (payload.size() < telephone_event_bytes) return tl::unexpected(PacketError::too_short);
    TelephoneEvent e;
    e.event = payload[0];
    e.end = (payload[1] & 0x80) != 0;
    e.volume = payload[1] & 0x3F;
    e.duration_units = static_cast<std::uint16_t>((payload[2] << 8) | payload[3]);
    return e;
}

void encode_telephone_event(const TelephoneEvent& e,
                            std::span<std::uint8_t, telephone_event_bytes> out) {
    out[0] = e.event;
    out[1] = static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3F));
    out[2] = static_cast<std::uint8_t>(e.duration_units >> 8);
    out[3] = static_cast<std::uint8_t>(e.duration_units);
}

std::optional<std::uint8_t> dtmf_event_code(char digit) {
    const char upper =
        (digit >= 'a' && digit <= 'd') ? static_cast<char>(digit - 'a' + 'A') : digit;
    const auto pos = digit_chars.find(upper);
    if (pos == std::string_view::npos || digit == '\0') return std::nullopt;
    return static_cast<std::uint8_t>(pos);
}

char dtmf_digit(std::uint8_t event) {
    return event < digit_chars.size() ? digit_chars[event] : '?';
}

Result<std::vector<DtmfScheduleItem>> parse_dtmf_schedule(std::string_view text) {
    std::vector<DtmfScheduleItem> items;
    if (trim(text).empty()) return items;
    std::size_t index = 0;
    while (true) {
        ++index;
        const auto comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        const std::string where =
            "dtmf schedule item " + std::to_string(index) + " \"" + std::string(item) + "\": ";
        const auto colon = item.find(':');
        if (colon == std::string_view::npos)
            return fail(where + "expected TIME:DIGIT, e.g. 1.5s:#");
        const auto offset = parse_offset_ms(trim(item.substr(0, colon)));
        if (!offset) return fail(where + "time must be like 1s, 2.5s or 800ms");
        const std::string_view digit = trim(item.substr(colon + 1));
        if (digit.size() != 1 || !dtmf_event_code(digit[0])) {
            return fail(where + "digit must be one of 0-9 * # A-D");
        }
        items.push_back({*offset, static_cast<char>(dtmf_digit(*dtmf_event_code(digit[0])))});
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.offset_ms < b.offset_ms; });
    return items;
}

DtmfSender::DtmfSender(std::uint8_t event, std::uint32_t start_timestamp_units,
                       std::uint16_t duration_units, std::uint16_t packet_interval_units,
                       std::uint8_t volume)
    : event_(event),
      start_timestamp_units_(start_timestamp_units),
      duration_units_(duration_units),
      packet_interval_units_(std::max<std::uint16_t>(packet_interval_units, 1)),
      volume_(volume) {}

std::optional<DtmfPacket> DtmfSender::next() {
    if (done()) return std::nullopt;
    DtmfPacket p;
    p.marker = elapsed_units_ == 0 && ends_sent_ == 0;
    p.timestamp_units = start_timestamp_units_;
    elapsed_units_ = std::min<std::uint32_t>(
        elapsed_units_ + (ends_sent_ ? 0 : packet_interval_units_), duration_units_);
    p.payload.event = event_;
    p.payload.volume = volume_;
    p.payload.duration_units = static_cast<std::uint16_t>(elapsed_units_);
    p.payload.end = elapsed_units_ >= duration_units_;
    if (p.payload.end) ++ends_sent_;
    return p;
}

void DtmfReceiver::on_packet(const TelephoneEvent& event, std::uint32_t timestamp_units) {
    if (event.end) ++end_packets_;
    for (std::size_t i = 0; i < recent_count_; ++i) {
        Seen& seen = recent_[i];
        if (seen.timestamp_units != timestamp_units) continue;
        if (event.end && !seen.ended) {
            seen.ended = true;
            ++ended_events_;
        }
        return;
    }
    // A new timestamp is a new event, even if its start packet was lost.
    ++events_;
    if (event.end) ++ended_events_;
    recent_[recent_next_] = Seen{timestamp_units, event.end};
    recent_next_ = (recent_next_ + 1) % remembered;
    recent_count_ = std::min(recent_count_ + 1, remembered);
    if (digit_count_ < max_digits) digits_[digit_count_++] = dtmf_digit(event.event);
}

}  // namespace pbxbench::media
