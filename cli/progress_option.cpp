#include "cli/progress_option.hpp"

#include <string>

namespace pbxbench::cli {

CLI::Option* add_progress_option(CLI::App& cmd, harness::ProgressMode& mode) {
    return cmd
        .add_option_function<std::string>(
            "--progress",
            [&mode](const std::string& text) { mode = *harness::parse_progress_mode(text); },
            "Live view on stderr: auto (status lines redrawn on a terminal, plain lines "
            "otherwise), plain (timestamped lines, no escape codes: CI logs), none (problems "
            "only)")
        ->check(CLI::IsMember({"auto", "plain", "none"}))
        ->type_name("auto|plain|none")
        ->default_str("auto");
}

}  // namespace pbxbench::cli
