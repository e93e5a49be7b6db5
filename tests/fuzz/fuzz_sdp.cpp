// libFuzzer target for the SDP parser and everything that consumes its output.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/sdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    auto sdp = pbxbench::sip::parse_sdp(body);
    if (!sdp) return 0;
    (void)pbxbench::sip::remote_audio_endpoint(*sdp);
    pbxbench::sip::AnswerParams params;
    params.address = "192.0.2.1";
    params.rtp_port = 40000;
    if (auto answer = pbxbench::sip::build_answer(*sdp, params)) {
        // Our own answer must always be parseable SDP with one m= line per offered one.
        auto reparsed = pbxbench::sip::parse_sdp(*answer);
        if (!reparsed || reparsed->media.size() != sdp->media.size()) __builtin_trap();
    }
    return 0;
}
