#pragma once
// RFC 4733 telephone-events (DTMF): the 4-byte payload, the --dtmf schedule, a sender that
// yields one event's packets, and a receiver that counts each event once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "media/packet_error.hpp"

namespace pbxbench::media {

inline constexpr std::size_t telephone_event_bytes = 4;

// The payload of one telephone-event packet (RFC 4733 §2.3).
struct TelephoneEvent {
    std::uint8_t event = 0;            // 0-9, 10 = *, 11 = #, 12-15 = A-D
    bool end = false;                  // E bit: the final packet(s) of the event
    std::uint8_t volume = 10;          // power level, 0 to -63 dBm0 as 0..63
    std::uint16_t duration_units = 0;  // since the event's start, in RTP timestamp units
};

// Decodes the first 4 bytes of `payload` (a longer payload carries redundant events we ignore).
PacketResult<TelephoneEvent> decode_telephone_event(std::span<const std::uint8_t> payload);

// Writes the 4-byte payload; the reserved bit is sent as 0.
void encode_telephone_event(const TelephoneEvent& e,
                            std::span<std::uint8_t, telephone_event_bytes> out);

// The event code of a DTMF character (0-9 * # A-D, letters in either case), if it is one.
std::optional<std::uint8_t> dtmf_event_code(char digit);

// The DTMF character of an event code, or '?' for codes outside 0..15.
char dtmf_digit(std::uint8_t event);

struct DtmfScheduleItem {
    std::int64_t offset_ms = 0;  // after media start
    char digit = '0';
};

// Parses "1s:1,2s:#,2.5s:*,800ms:5" into items sorted by offset. Errors name the bad item.
Result<std::vector<DtmfScheduleItem>> parse_dtmf_schedule(std::string_view text);

// One RTP packet of an event: the caller supplies sequence number and SSRC.
struct DtmfPacket {
    TelephoneEvent payload;
    bool marker = false;                // set on the first packet of the event only
    std::uint32_t timestamp_units = 0;  // the event's start, the same in every packet
};

// Yields the packets of one event, one per call to next() every `packet_interval_units`:
// the start packet (marker, first interval's duration), updates with growing duration,
// then the end packet with the E bit three times (RFC 4733 §2.5.1.4).
class DtmfSender {
  public:
    static constexpr int end_repeats = 3;

    DtmfSender(std::uint8_t event, std::uint32_t start_timestamp_units,
               std::uint16_t duration_units = 800,         // 100 ms at 8000 Hz
               std::uint16_t packet_interval_units = 160,  // 20 ms
               std::uint8_t volume = 10);

    // The next packet, or nothing once all have been produced.
    std::optional<DtmfPacket> next();
    // Whether the third end packet has been produced.
    bool done() const { return ends_sent_ == end_repeats; }

  private:
    std::uint8_t event_;
    std::uint32_t start_timestamp_units_;
    std::uint16_t duration_units_;
    std::uint16_t packet_interval_units_;
    std::uint8_t volume_;
    std::uint32_t elapsed_units_ = 0;
    int ends_sent_ = 0;
};

// Counts received events: an event is the set of packets sharing one RTP timestamp, so
// retransmitted end packets and duplicates do not count twice.
class DtmfReceiver {
  public:
    static constexpr std::size_t max_digits = 64;

    // Accounts for one telephone-event packet's payload and RTP timestamp.
    void on_packet(const TelephoneEvent& event, std::uint32_t timestamp_units);

    // Distinct events seen (one per RTP timestamp).
    std::uint32_t events() const { return events_; }
    std::uint32_t ended_events() const { return ended_events_; }  // events whose E bit arrived
    std::uint32_t end_packets() const { return end_packets_; }
    // The digits in arrival order; the first max_digits only.
    std::string_view digits() const { return {digits_.data(), digit_count_}; }

  private:
    // Recent events' timestamps: a late packet of the previous event must not start a new one.
    static constexpr std::size_t remembered = 8;
    struct Seen {
        std::uint32_t timestamp_units = 0;
        bool ended = false;
    };
    std::array<Seen, remembered> recent_{};
    std::size_t recent_count_ = 0;
    std::size_t recent_next_ = 0;
    std::uint32_t events_ = 0;
    std::uint32_t ended_events_ = 0;
    std::uint32_t end_packets_ = 0;
    std::array<char, max_digits> digits_{};
    std::size_t digit_count_ = 0;
};

}  // namespace pbxbench::media
