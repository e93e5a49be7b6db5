// Benchmark: parse + serialize of a typical INVITE with SDP and of a 200 OK on one core.
// Prints messages/s; not a test. Floor (issue 2): 1,000,000 INVITE parses/s.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sip/message.hpp"
#include "sip/message_builder.hpp"

namespace {

using namespace pbxbench::sip;
using Clock = std::chrono::steady_clock;

const std::string invite =
    "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK3f2a9c1e.4711;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"alice\" <sip:alice@127.0.0.1>;tag=8f2e61c0\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: 4711-3f2a9c1e@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@127.0.0.1:5070>\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
    "User-Agent: pbxbench/0.1.0\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 208\r\n\r\n"
    "v=0\r\n"
    "o=pbxbench 4711 4711 IN IP4 127.0.0.1\r\n"
    "s=pbxbench\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

volatile std::size_t sink;

template <class F>
double rate(const char* label, long iterations, F&& f) {
    for (long i = 0; i < iterations / 10; ++i) f();  // warm up
    auto start = Clock::now();
    for (long i = 0; i < iterations; ++i) f();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    double per_s = iterations / seconds;
    std::printf("%-38s %12.0f /s  %8.1f ns each\n", label, per_s, 1e9 / per_s);
    return per_s;
}

}  // namespace

int main(int argc, char** argv) {
    long n = argc > 1 ? std::atol(argv[1]) : 2'000'000;
    auto parsed_invite = Message::parse(invite);
    if (!parsed_invite) {
        std::fprintf(stderr, "benchmark INVITE does not parse: %s\n",
                     parsed_invite.error().message.c_str());
        return 1;
    }
    std::string ok = response_to(*parsed_invite, 200, "b7e1").finish();
    std::printf(
        "bench/sip_codec: %ld iterations per row, one core; INVITE %zu bytes, 200 OK %zu bytes\n",
        n, invite.size(), ok.size());
    double parse_invite =
        rate("parse INVITE+SDP", n, [&] { sink = Message::parse(invite)->headers().size(); });
    rate("parse 200 OK", n, [&] { sink = Message::parse(ok)->headers().size(); });
    rate("serialize 200 OK (response_to)", n,
         [&] { sink = response_to(*parsed_invite, 200, "b7e1").finish().size(); });
    rate("serialize INVITE+SDP (builder)", n, [&] {
        MessageBuilder b;
        b.request_line("INVITE", "sip:bob@127.0.0.1:5060");
        b.header("Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK3f2a9c1e.", 4711u, ";rport");
        b.header("Max-Forwards", 70);
        b.header("From", "\"alice\" <sip:alice@127.0.0.1>;tag=8f2e61c0");
        b.header("To", "<sip:bob@127.0.0.1>");
        b.header("Call-ID", "4711-3f2a9c1e@127.0.0.1");
        b.header("CSeq", 1u, " INVITE");
        b.header("Contact", "<sip:alice@127.0.0.1:5070>");
        sink = b.finish(parsed_invite->body()).size();
    });
    rate("parse+serialize round trip (INVITE->200)", n,
         [&] { sink = response_to(*Message::parse(invite), 200, "b7e1").finish().size(); });
    std::printf("floor 1,000,000 INVITE parses/s: %s (%.2fx)\n",
                parse_invite >= 1e6 ? "met" : "NOT met", parse_invite / 1e6);
    return 0;
}
