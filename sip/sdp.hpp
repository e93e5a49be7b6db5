#pragma once
// SDP (RFC 4566) parsing and RFC 3264 offer/answer, limited to what an audio-only
// SIP load generator needs. Types own their strings: SDP is parsed once per call.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::sip {

// A stream's a=sendrecv/sendonly/recvonly/inactive, as seen by the author of the SDP.
enum class Direction { sendrecv, sendonly, recvonly, inactive };

// Whether the author of an SDP carrying `d` may send media on the stream.
constexpr bool sends(Direction d) {
    return d == Direction::sendrecv || d == Direction::sendonly;
}

// Whether the author of an SDP carrying `d` wants to receive media on the stream.
constexpr bool receives(Direction d) {
    return d == Direction::sendrecv || d == Direction::recvonly;
}

// Whether we may send RTP, given the direction we signalled and the one the peer signalled.
constexpr bool may_send(Direction local, Direction remote) {
    return sends(local) && receives(remote);
}

// Whether we should expect RTP from the peer, given both signalled directions.
constexpr bool expects_receive(Direction local, Direction remote) {
    return receives(local) && sends(remote);
}

// The direction an answerer wanting `wanted` replies to an offered direction (RFC 3264 §6.1).
Direction answer_direction(Direction offered, Direction wanted = Direction::sendrecv);

// The attribute name: "sendrecv", "sendonly", "recvonly" or "inactive".
std::string_view to_string(Direction d);

// A c= line; `address` has any multicast /ttl or /count suffix removed.
struct Connection {
    std::string nettype;   // "IN"
    std::string addrtype;  // "IP4" or "IP6"
    std::string address;
};

// The o= line. Session id and version stay text: some UAs send more digits than fit 64 bits.
struct Origin {
    std::string username;
    std::string session_id;
    std::string session_version;
    std::string nettype;
    std::string addrtype;
    std::string address;
};

// One RTP payload type of an m= line, with what a=rtpmap and a=fmtp say about it.
struct Format {
    std::uint8_t payload_type = 0;
    std::string encoding;          // from a=rtpmap, else the RFC 3551 static name, else empty
    std::uint32_t clock_rate = 0;  // 0 when unknown
    std::uint8_t channels = 1;
    std::string fmtp;  // the parameters after "a=fmtp:<pt> ", empty if none
};

// One m= section. `formats` is filled only for RTP protos; `format_tokens` always.
struct MediaDescription {
    std::string media;  // "audio", "video", "image"...
    std::uint16_t port = 0;
    std::uint16_t port_count = 1;
    std::string proto;  // "RTP/AVP", "RTP/SAVP", "udptl"...
    std::vector<std::string> format_tokens;
    std::vector<Format> formats;
    std::optional<Connection> connection;  // media-level c=, if any
    std::optional<std::uint32_t> ptime_ms;
    Direction direction = Direction::sendrecv;  // effective: media-level, else session-level
    std::optional<std::uint16_t> rtcp_port;     // a=rtcp (RFC 3605)
    std::string rtcp_address;                   // a=rtcp's optional address, else empty
    bool rtcp_mux = false;
    std::optional<std::uint32_t> ssrc;  // the first a=ssrc (RFC 5576): the author's RTP source

    // The format with payload type `pt`, or nullptr.
    const Format* find_format(std::uint8_t pt) const;
};

// A parsed session description.
struct SessionDescription {
    Origin origin;
    std::string session_name;
    std::optional<Connection> connection;  // session-level c=
    std::uint64_t start_time = 0;
    std::uint64_t stop_time = 0;
    Direction direction = Direction::sendrecv;  // session-level, the default for each media
    std::vector<MediaDescription> media;
};

// Parses an SDP body (CRLF or LF); the error names the offending line.
Result<SessionDescription> parse_sdp(std::string_view body);

// Where to send the peer's audio. `rtcp_address` is the a=rtcp address or, if none, `address`.
struct MediaEndpoint {
    std::string address;
    std::uint16_t rtp_port = 0;
    std::uint16_t rtcp_port = 0;
    bool rtcp_mux = false;
    std::string rtcp_address;
    Direction direction = Direction::sendrecv;  // as the author signalled it
    std::optional<std::uint32_t> ssrc;          // the author's a=ssrc, if it announced one
    std::vector<Format> formats;
};

// The first audio stream with a nonzero port; media-level c= wins over session-level.
Result<MediaEndpoint> remote_audio_endpoint(const SessionDescription& sdp);

// A payload type we put in an offer.
struct Codec {
    std::uint8_t payload_type = 0;
    std::string encoding;
    std::uint32_t clock_rate = 8000;
    std::string fmtp;  // written as a=fmtp when not empty
};

// The payload type of the first telephone-event (RFC 4733) format, matched case-insensitively
// (RFC 4566 §6); 0 when there is none.
std::uint8_t telephone_event_payload_type(const std::vector<Format>& formats);

// PCMU on 0 and telephone-event on 101 with events 0-16.
std::vector<Codec> default_codecs();

// What we put in an offer; `address` may be IPv4 or IPv6.
struct OfferParams {
    std::string address;
    std::uint16_t rtp_port = 0;
    std::uint64_t session_id = 0;
    std::uint64_t session_version = 0;
    std::string username = "pbxbench";
    std::vector<Codec> codecs = default_codecs();
    std::uint32_t ptime_ms = 20;  // 0 leaves a=ptime out
    Direction direction = Direction::sendrecv;
    bool rtcp_mux = false;
    // a=ssrc:<ssrc> cname:<cname> (RFC 5576), so a peer on a shared port can tell calls apart.
    std::optional<std::uint32_t> ssrc;
    std::string cname = "pbxbench";
};

// An audio offer with a single m= line, CRLF line endings.
std::string build_offer(const OfferParams& params);

// What we put in an answer; the direction is combined with the offer's.
struct AnswerParams {
    std::string address;
    std::uint16_t rtp_port = 0;
    std::uint64_t session_id = 0;
    std::uint64_t session_version = 0;
    std::string username = "pbxbench";
    std::uint32_t ptime_ms = 20;  // 0 leaves a=ptime out
    Direction direction = Direction::sendrecv;
    bool accept_rtcp_mux = true;        // answer a=rtcp-mux when offered
    std::optional<std::uint32_t> ssrc;  // announced as a=ssrc with `cname`, as in an offer
    std::string cname = "pbxbench";
};

// The RFC 3264 answer: the first RTP/AVP audio stream with PCMU/8000 or PCMA/8000 in common
// is accepted (plus telephone-event/8000 if offered); every other m= line gets port 0.
// Fails when no audio stream has a codec in common.
Result<std::string> build_answer(const SessionDescription& offer, const AnswerParams& params);

}  // namespace pbxbench::sip
