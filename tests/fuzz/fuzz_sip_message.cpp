// libFuzzer target: any bytes through the message parser and, when they parse, through every
// structured accessor and the response builder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/header_values.hpp"
#include "sip/message.hpp"
#include "sip/message_builder.hpp"
#include "sip/stream_framer.hpp"
#include "sip/uri.hpp"

using namespace pbxbench::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto m = Message::parse(bytes);
    if (m) {
        for (HeaderId id :
             {HeaderId::via, HeaderId::contact, HeaderId::route, HeaderId::record_route}) {
            m->for_each_element(id, [&](std::string_view e) {
                if (id == HeaderId::via) {
                    (void)parse_via(e);
                } else {
                    auto na = parse_name_addr(e);
                    if (na) (void)na->params.get("lr");
                }
            });
        }
        if (m->is_request()) {
            (void)parse_uri(m->request_uri());
            std::string reply = response_to(*m, 200, "fuzz").finish();
            auto again = Message::parse(reply);
            if (!again) __builtin_trap();  // our own output must parse
        }
    }
    StreamFramer framer;
    framer.feed(bytes);
    for (int i = 0; i < 4; ++i) {
        auto next = framer.next();
        if (!next || !*next) break;
    }
    return 0;
}
