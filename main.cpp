// pbxbench: one binary, one subcommand per job. Each module registers its own subcommand.
#include <iostream>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
    using pbxbench::ExitCode;
    CLI::App app{"pbxbench: a benchmark harness for SIP PBXs"};
    app.set_version_flag("--version", std::string("pbxbench ") + PBXBENCH_VERSION);
    app.require_subcommand(1);
    ExitCode result = ExitCode::success;
    pbxbench::cli::add_commands(app, result);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (std::string clearer =
                pbxbench::cli::explain_parse_error(e.what(), pbxbench::cli::visible_options(app));
            !clearer.empty())
            std::cerr << "error: " << clearer << "\nRun with --help for more information.\n";
        else
            app.exit(e);  // prints the message and the usage hint
        return static_cast<int>(ExitCode::usage);
    } catch (const pbxbench::Fatal& e) {
        std::cerr << "error: " << e.what() << '\n';
        return static_cast<int>(e.code());
    }
    return static_cast<int>(result);
}
