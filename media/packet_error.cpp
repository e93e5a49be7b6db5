#include "media/packet_error.hpp"

namespace pbxbench::media {

std::string_view describe(PacketError e) {
    switch (e) {
        case PacketError::too_short:
            return "packet shorter than its header or length fields";
        case PacketError::bad_version:
            return "RTP/RTCP version is not 2";
        case PacketError::bad_padding:
            return "padding count does not fit the packet";
        case PacketError::bad_length:
            return "RTCP length fields do not tile the packet";
        case PacketError::bad_field:
            return "field value not allowed by the RFC";
        case PacketError::buffer_too_small:
            return "output buffer too small";
    }
    return "unknown packet error";
}

}  // namespace pbxbench::media
