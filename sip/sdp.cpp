#include "sip/sdp.hpp"

#include <array>
#include <type_traits>

#include "sip/text.hpp"

namespace pbxbench::sip {

namespace {

struct Line {
    std::size_t number = 0;
    char type = 0;
    std::string_view value;  // after "x="
    std::string_view text;   // the whole line, for error messages
};

tl::unexpected<Error> line_error(const Line& line, std::string_view what) {
    constexpr std::size_t max_shown = 80;  // a fuzzed line can be megabytes long
    std::string msg = "SDP line ";
    append_uint(msg, line.number);
    msg += " \"";
    msg += line.text.substr(0, max_shown);
    if (line.text.size() > max_shown) msg += "...";
    msg += "\": ";
    msg += what;
    return fail(std::move(msg));
}

// Splits on runs of spaces and tabs; RFC 4566 says single spaces, but peers are sloppy.
std::vector<std::string_view> split_fields(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        std::size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::optional<Direction> direction_from(std::string_view name) {
    if (name == "sendrecv") return Direction::sendrecv;
    if (name == "sendonly") return Direction::sendonly;
    if (name == "recvonly") return Direction::recvonly;
    if (name == "inactive") return Direction::inactive;
    return std::nullopt;
}

bool is_rtp(std::string_view proto) {
    return proto.find("RTP/") != std::string_view::npos;
}

Result<Connection> parse_connection(const Line& line) {
    auto f = split_fields(line.value);
    if (f.size() < 3) return line_error(line, "c= needs <nettype> <addrtype> <address>");
    if (f[1] != "IP4" && f[1] != "IP6") return line_error(line, "address type is not IP4 or IP6");
    // A multicast address carries /ttl (IP4) or /count suffixes we have no use for.
    std::string_view address = f[2].substr(0, f[2].find('/'));
    if (address.empty()) return line_error(line, "empty connection address");
    return Connection{std::string(f[0]), std::string(f[1]), std::string(address)};
}

Result<Origin> parse_origin(const Line& line) {
    auto f = split_fields(line.value);
    if (f.size() != 6) {
        return line_error(line,
                          "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> "
                          "<address>");
    }
    return Origin{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                  std::string(f[3]), std::string(f[4]), std::string(f[5])};
}

Result<MediaDescription> parse_media(const Line& line) {
    auto f = split_fields(line.value);
    if (f.size() < 4) return line_error(line, "m= needs <media> <port> <proto> <fmt>...");
    MediaDescription m;
    m.media = std::string(f[0]);
    std::string_view port = f[1];
    std::size_t slash = port.find('/');
    if (slash != std::string_view::npos) {
        auto count = parse_uint(port.substr(slash + 1), UINT16_MAX);
        if (!count || *count == 0) return line_error(line, "bad port count");
        m.port_count = static_cast<std::uint16_t>(*count);
        port = port.substr(0, slash);
    }
    auto port_number = parse_uint(port, UINT16_MAX);
    if (!port_number) return line_error(line, "port is not a number from 0 to 65535");
    m.port = static_cast<std::uint16_t>(*port_number);
    m.proto = std::string(f[2]);
    for (std::size_t i = 3; i < f.size(); ++i) {
        m.format_tokens.emplace_back(f[i]);
        // Only RTP protos promise payload type numbers; udptl, TCP/BFCP... use names.
        if (!is_rtp(m.proto)) continue;
        auto pt = parse_uint(f[i], 127);
        if (!pt) return line_error(line, "payload type is not a number from 0 to 127");
        Format fmt;
        fmt.payload_type = static_cast<std::uint8_t>(*pt);
        m.formats.push_back(std::move(fmt));
    }
    return m;
}

Format* find_mutable(MediaDescription& m, std::uint8_t pt) {
    for (Format& f : m.formats) {
        if (f.payload_type == pt) return &f;
    }
    return nullptr;
}

// a=rtpmap:<pt> <encoding>/<clock>[/<channels>]
Result<void> parse_rtpmap(const Line& line, std::string_view value, MediaDescription& m) {
    auto f = split_fields(value);
    auto pt = f.size() == 2 ? parse_uint(f[0], 127) : std::nullopt;
    if (!pt) return line_error(line, "rtpmap needs <payload type> <encoding>/<clock rate>");
    std::string_view spec = f[1];
    std::size_t s1 = spec.find('/');
    if (s1 == 0 || s1 == std::string_view::npos) {
        return line_error(line, "rtpmap needs <encoding>/<clock rate>");
    }
    std::string_view rest = spec.substr(s1 + 1);
    std::size_t s2 = rest.find('/');
    auto clock = parse_uint(rest.substr(0, s2), UINT32_MAX);
    if (!clock || *clock == 0)
        return line_error(line, "rtpmap clock rate is not a positive number");
    std::uint64_t channels = 1;
    if (s2 != std::string_view::npos) {
        auto ch = parse_uint(rest.substr(s2 + 1), 255);
        if (!ch || *ch == 0) return line_error(line, "rtpmap channel count is not 1 to 255");
        channels = *ch;
    }
    // An rtpmap for a payload type the m= line does not list describes nothing.
    if (Format* fmt = find_mutable(m, static_cast<std::uint8_t>(*pt))) {
        fmt->encoding = std::string(spec.substr(0, s1));
        fmt->clock_rate = static_cast<std::uint32_t>(*clock);
        fmt->channels = static_cast<std::uint8_t>(channels);
    }
    return {};
}

// a=fmtp:<pt> <parameters>
Result<void> parse_fmtp(const Line& line, std::string_view value, MediaDescription& m) {
    std::size_t sp = value.find_first_of(" \t");
    auto pt = parse_uint(value.substr(0, sp), 127);
    if (!pt) return line_error(line, "fmtp payload type is not a number from 0 to 127");
    if (Format* fmt = find_mutable(m, static_cast<std::uint8_t>(*pt))) {
        fmt->fmtp =
            sp == std::string_view::npos ? std::string() : std::string(trim(value.substr(sp)));
    }
    return {};
}

// a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605)
Result<void> parse_rtcp(const Line& line, std::string_view value, MediaDescription& m) {
    auto f = split_fields(value);
    auto port = f.empty() ? std::nullopt : parse_uint(f[0], UINT16_MAX);
    if (!port) return line_error(line, "rtcp port is not a number from 0 to 65535");
    if (f.size() != 1 && f.size() != 4) return line_error(line, "rtcp address is incomplete");
    m.rtcp_port = static_cast<std::uint16_t>(*port);
    if (f.size() == 4) m.rtcp_address = std::string(f[3]);
    return {};
}

// Parser state beyond the result itself.
struct State {
    SessionDescription sdp;
    bool saw_origin = false;
    std::optional<std::uint32_t> session_ptime;
    std::vector<std::optional<Direction>> media_direction;
    std::vector<Line> media_line;
};

Result<void> parse_attribute(const Line& line, State& st) {
    std::string_view a = line.value;
    std::size_t colon = a.find(':');
    std::string_view name = a.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : a.substr(colon + 1);
    MediaDescription* m = st.sdp.media.empty() ? nullptr : &st.sdp.media.back();

    if (auto dir = direction_from(name)) {
        if (m) {
            st.media_direction.back() = *dir;
        } else {
            st.sdp.direction = *dir;
        }
        return {};
    }
    if (name == "ptime") {
        auto ms = parse_uint(trim(value), 10000);
        if (!ms) return line_error(line, "ptime is not a number of milliseconds");
        (m ? m->ptime_ms : st.session_ptime) = static_cast<std::uint32_t>(*ms);
        return {};
    }
    // The rest only mean something inside an RTP m= section.
    if (!m || !is_rtp(m->proto)) return {};
    if (name == "rtpmap") return parse_rtpmap(line, value, *m);
    if (name == "fmtp") return parse_fmtp(line, value, *m);
    if (name == "rtcp") return parse_rtcp(line, value, *m);
    if (name == "rtcp-mux") m->rtcp_mux = true;
    if (name == "ssrc" && !m->ssrc) {
        auto id = parse_uint(value.substr(0, value.find(' ')), UINT32_MAX);
        if (!id) return line_error(line, "ssrc is not a 32-bit number");
        m->ssrc = static_cast<std::uint32_t>(*id);
    }
    return {};
}

Result<void> parse_line(const Line& line, State& st) {
    bool in_media = !st.sdp.media.empty();
    switch (line.type) {
        case 'o': {
            if (st.saw_origin) return {};
            auto origin = parse_origin(line);
            if (!origin) return tl::unexpected(origin.error());
            st.sdp.origin = std::move(*origin);
            st.saw_origin = true;
            return {};
        }
        case 's':
            if (!in_media) st.sdp.session_name = std::string(line.value);
            return {};
        case 'c': {
            auto c = parse_connection(line);
            if (!c) return tl::unexpected(c.error());
            (in_media ? st.sdp.media.back().connection : st.sdp.connection) = std::move(*c);
            return {};
        }
        case 't': {
            auto f = split_fields(line.value);
            auto start = f.size() == 2 ? parse_uint(f[0], UINT64_MAX) : std::nullopt;
            auto stop = f.size() == 2 ? parse_uint(f[1], UINT64_MAX) : std::nullopt;
            if (!start || !stop) return line_error(line, "t= needs <start time> <stop time>");
            st.sdp.start_time = *start;
            st.sdp.stop_time = *stop;
            return {};
        }
        case 'm': {
            auto m = parse_media(line);
            if (!m) return tl::unexpected(m.error());
            st.sdp.media.push_back(std::move(*m));
            st.media_direction.emplace_back();
            st.media_line.push_back(line);
            return {};
        }
        case 'a':
            return parse_attribute(line, st);
        default:
            return {};  // b=, i=, u=, e=, p=, r=, z=, k= and unknown types say nothing we use
    }
}

struct StaticType {
    std::uint8_t pt;
    const char* encoding;
};
// RFC 3551 static assignments a peer may use without a=rtpmap; all are 8000 Hz mono.
constexpr std::array<StaticType, 6> static_types{
    {{0, "PCMU"}, {3, "GSM"}, {4, "G723"}, {8, "PCMA"}, {9, "G722"}, {18, "G729"}}};

Result<void> finish(State& st) {
    for (std::size_t i = 0; i < st.sdp.media.size(); ++i) {
        MediaDescription& m = st.sdp.media[i];
        m.direction = st.media_direction[i].value_or(st.sdp.direction);
        if (!m.ptime_ms) m.ptime_ms = st.session_ptime;
        for (Format& f : m.formats) {
            if (!f.encoding.empty()) continue;
            for (const StaticType& s : static_types) {
                if (s.pt != f.payload_type) continue;
                f.encoding = s.encoding;
                f.clock_rate = 8000;
            }
        }
        // A rejected stream (port 0) is often sent without any address.
        if (m.port != 0 && !m.connection && !st.sdp.connection) {
            return line_error(st.media_line[i],
                              "no c= line for this media and no session-level c=");
        }
    }
    return {};
}

}  // namespace

Direction answer_direction(Direction offered, Direction wanted) {
    bool send = receives(offered) && sends(wanted);
    bool recv = sends(offered) && receives(wanted);
    if (send && recv) return Direction::sendrecv;
    if (send) return Direction::sendonly;
    if (recv) return Direction::recvonly;
    return Direction::inactive;
}

std::string_view to_string(Direction d) {
    switch (d) {
        case Direction::sendrecv:
            return "sendrecv";
        case Direction::sendonly:
            return "sendonly";
        case Direction::recvonly:
            return "recvonly";
        case Direction::inactive:
            return "inactive";
    }
    return "sendrecv";
}

const Format* MediaDescription::find_format(std::uint8_t pt) const {
    for (const Format& f : formats) {
        if (f.payload_type == pt) return &f;
    }
    return nullptr;
}

Result<SessionDescription> parse_sdp(std::string_view body) {
    State st;
    bool saw_version = false;
    std::size_t number = 0;
    while (!body.empty()) {
        std::size_t nl = body.find('\n');
        std::string_view text = body.substr(0, nl);
        body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
        ++number;
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (trim(text).empty()) continue;  // stray blank lines, e.g. a trailing CRLF
        Line line{number, text[0], {}, text};
        if (text.size() < 2 || text[1] != '=') return line_error(line, "not a <type>=<value> line");
        line.value = text.substr(2);
        if (!saw_version) {
            if (line.type != 'v') return line_error(line, "SDP must start with v=");
            if (trim(line.value) != "0") return line_error(line, "only SDP version 0 is known");
            saw_version = true;
            continue;
        }
        if (auto r = parse_line(line, st); !r) return tl::unexpected(r.error());
    }
    if (!saw_version) return fail("SDP body is empty: no v= line");
    if (!st.saw_origin) return fail("SDP has no o= line");
    if (auto r = finish(st); !r) return tl::unexpected(r.error());
    return std::move(st.sdp);
}

Result<MediaEndpoint> remote_audio_endpoint(const SessionDescription& sdp) {
    for (const MediaDescription& m : sdp.media) {
        if (m.media != "audio" || m.port == 0) continue;
        const std::optional<Connection>& c = m.connection ? m.connection : sdp.connection;
        if (!c) return fail("SDP audio stream has no connection address");
        MediaEndpoint ep;
        ep.address = c->address;
        ep.rtp_port = m.port;
        ep.rtcp_mux = m.rtcp_mux;
        ep.direction = m.direction;
        ep.ssrc = m.ssrc;
        ep.formats = m.formats;
        ep.rtcp_address = m.rtcp_address.empty() ? c->address : m.rtcp_address;
        if (m.rtcp_mux) {
            ep.rtcp_port = m.port;
        } else if (m.rtcp_port && *m.rtcp_port != 0) {
            ep.rtcp_port = *m.rtcp_port;
        } else if (m.port == UINT16_MAX) {
            return fail("SDP audio port 65535 leaves no port for RTCP and there is no a=rtcp");
        } else {
            ep.rtcp_port = static_cast<std::uint16_t>(m.port + 1);
        }
        return ep;
    }
    return fail("SDP has no audio stream with a nonzero port");
}

std::uint8_t telephone_event_payload_type(const std::vector<Format>& formats) {
    for (const Format& f : formats)
        if (iequals(f.encoding, "telephone-event")) return f.payload_type;
    return 0;
}

std::vector<Codec> default_codecs() {
    return {Codec{0, "PCMU", 8000, ""}, Codec{101, "telephone-event", 8000, "0-16"}};
}

namespace {

// Appends each piece: text as it is, integers in decimal.
template <class... Parts>
void append(std::string& out, const Parts&... parts) {
    auto one = [&out](const auto& part) {
        using T = std::decay_t<decltype(part)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char>) {
            append_uint(out, part);
        } else {
            out += part;
        }
    };
    (one(parts), ...);
}

std::string_view addrtype_of(std::string_view address) {
    return address.find(':') == std::string_view::npos ? "IP4" : "IP6";
}

// v=, o=, s=, c= and t= for one of our own descriptions.
void append_session(std::string& out, std::string_view username, std::uint64_t id,
                    std::uint64_t version, std::string_view address, std::uint64_t start,
                    std::uint64_t stop) {
    std::string_view type = addrtype_of(address);
    append(out, "v=0\r\no=", username.empty() ? std::string_view("-") : username, ' ', id, ' ',
           version, " IN ", type, ' ', address, "\r\ns=pbxbench\r\nc=IN ", type, ' ', address,
           "\r\nt=", start, ' ', stop, "\r\n");
}

void append_rtpmap(std::string& out, std::uint8_t pt, std::string_view encoding,
                   std::uint32_t clock_rate, std::string_view fmtp) {
    append(out, "a=rtpmap:", pt, ' ', encoding, '/', clock_rate, "\r\n");
    if (!fmtp.empty()) append(out, "a=fmtp:", pt, ' ', fmtp, "\r\n");
}

// a=ptime, the direction, a=rtcp-mux and a=ssrc, closing an audio m= section.
void append_media_tail(std::string& out, std::uint32_t ptime_ms, Direction d, bool rtcp_mux,
                       std::optional<std::uint32_t> ssrc, std::string_view cname) {
    if (ptime_ms != 0) append(out, "a=ptime:", ptime_ms, "\r\n");
    append(out, "a=", to_string(d), "\r\n");
    if (rtcp_mux) out += "a=rtcp-mux\r\n";
    if (ssrc) append(out, "a=ssrc:", *ssrc, " cname:", cname, "\r\n");
}

bool is_pcm(const Format& f) {
    return (iequals(f.encoding, "PCMU") || iequals(f.encoding, "PCMA")) && f.clock_rate == 8000 &&
           f.channels == 1;
}

bool is_telephone_event(const Format& f) {
    return iequals(f.encoding, "telephone-event") && f.clock_rate == 8000;
}

// The formats of `m` we accept, in the offer's order; empty unless one is an audio codec.
std::vector<const Format*> common_formats(const MediaDescription& m) {
    std::vector<const Format*> out;
    if (m.media != "audio" || m.port == 0 || m.proto != "RTP/AVP") return out;
    bool audio = false;
    bool events = false;
    for (const Format& f : m.formats) {
        if (is_pcm(f)) {
            out.push_back(&f);
            audio = true;
        } else if (is_telephone_event(f) && !events) {
            out.push_back(&f);
            events = true;
        }
    }
    if (!audio) out.clear();  // telephone-event alone carries no audio
    return out;
}

}  // namespace

std::string build_offer(const OfferParams& p) {
    std::string out;
    out.reserve(256);
    append_session(out, p.username, p.session_id, p.session_version, p.address, 0, 0);
    append(out, "m=audio ", p.rtp_port, " RTP/AVP");
    for (const Codec& c : p.codecs) append(out, ' ', c.payload_type);
    out += "\r\n";
    for (const Codec& c : p.codecs)
        append_rtpmap(out, c.payload_type, c.encoding, c.clock_rate, c.fmtp);
    append_media_tail(out, p.ptime_ms, p.direction, p.rtcp_mux, p.ssrc, p.cname);
    return out;
}

Result<std::string> build_answer(const SessionDescription& offer, const AnswerParams& p) {
    std::size_t accepted = offer.media.size();
    std::vector<const Format*> chosen;
    for (std::size_t i = 0; i < offer.media.size() && chosen.empty(); ++i) {
        chosen = common_formats(offer.media[i]);
        if (!chosen.empty()) accepted = i;
    }
    if (chosen.empty()) {
        return fail(
            "SDP offer has no RTP/AVP audio stream with PCMU/8000 or PCMA/8000; "
            "no codec in common");
    }
    std::string out;
    out.reserve(256 + 64 * offer.media.size());
    // RFC 3264 §6: the answer's t= must equal the offer's.
    append_session(out, p.username, p.session_id, p.session_version, p.address, offer.start_time,
                   offer.stop_time);
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const MediaDescription& m = offer.media[i];
        if (i != accepted) {
            // Rejected: port 0, same media and proto, and the offered formats (§6).
            append(out, "m=", m.media, " 0 ", m.proto);
            for (const std::string& t : m.format_tokens) append(out, ' ', t);
            if (m.format_tokens.empty()) out += " 0";
            out += "\r\n";
            continue;
        }
        append(out, "m=audio ", p.rtp_port, " RTP/AVP");
        for (const Format* f : chosen) append(out, ' ', f->payload_type);
        out += "\r\n";
        for (const Format* f : chosen) {
            append_rtpmap(out, f->payload_type, f->encoding, f->clock_rate, f->fmtp);
        }
        append_media_tail(out, p.ptime_ms, answer_direction(m.direction, p.direction),
                          m.rtcp_mux && p.accept_rtcp_mux, p.ssrc, p.cname);
    }
    return out;
}

}  // namespace pbxbench::sip
