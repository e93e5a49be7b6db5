#pragma once
// Why a packet could not be parsed or written. Per-packet code reports these small enums
// instead of pbxbench::Error: Error carries a std::string, and a flood of malformed datagrams
// must not cost a heap allocation each. Callers that leave the hot path convert with to_error().
#include <string_view>

#include <tl/expected.hpp>

#include "base/error.hpp"

namespace pbxbench::media {

enum class PacketError {
    too_short,         // fewer bytes than the fixed header or than a length field claims
    bad_version,       // the version field is not 2
    bad_padding,       // the padding count is 0 or larger than the packet
    bad_length,        // an RTCP length field does not tile the compound packet exactly
    bad_field,         // a field holds a value its RFC forbids (e.g. an empty SDES item list)
    buffer_too_small,  // the caller's output buffer cannot hold what was asked for
};

template <class T>
using PacketResult = tl::expected<T, PacketError>;

// A short human description, e.g. "packet shorter than its header".
std::string_view describe(PacketError e);

// The same failure as a pbxbench::Error, for code outside the per-packet path.
inline Error to_error(PacketError e) {
    return Error{std::string(describe(e))};
}

}  // namespace pbxbench::media
