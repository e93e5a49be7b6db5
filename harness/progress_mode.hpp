#pragma once
// --progress of `pbxbench run` and `capacity`: how the live view writes to stderr.
#include <optional>
#include <string_view>

namespace pbxbench::harness {

// auto: redrawn status lines on a terminal, plain lines otherwise; plain: timestamped lines,
// no escape codes (CI logs); none: only problems.
enum class ProgressMode { automatic, plain, none };

// "auto", "plain", "none"; nothing for anything else.
inline std::optional<ProgressMode> parse_progress_mode(std::string_view text) {
    if (text == "auto") return ProgressMode::automatic;
    if (text == "plain") return ProgressMode::plain;
    if (text == "none") return ProgressMode::none;
    return std::nullopt;
}

}  // namespace pbxbench::harness
