#include "cli/report_command.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "report/html_report.hpp"

namespace pbxbench::cli {

namespace {

struct ReportArgs {
    std::vector<std::string> runs;
    std::string out;
    report::ReportOptions options;
};

ExitCode run_report(const ReportArgs& a) {
    std::vector<report::RunData> runs;
    for (const auto& p : a.runs) {
        auto run = report::load_run(p);
        if (!run) throw Fatal(run.error().message, ExitCode::usage);
        for (const auto& w : run->warnings) std::cerr << "warning: " << w << "\n";
        runs.push_back(std::move(*run));
    }
    // One run: the report lives with its results; several: where the user is.
    std::filesystem::path out = a.out;
    if (out.empty()) out = runs.size() == 1 ? runs.front().dir / "report.html" : "report.html";
    if (auto ok = report::write_report(runs, out, a.options); !ok) throw Fatal(ok.error().message);
    std::cerr << "pbxbench report: wrote " << out.string() << "\n";
    return ExitCode::success;
}

}  // namespace

void add_report_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<ReportArgs>();
    CLI::App* cmd = app.add_subcommand(
        "report", "Write a self-contained report.html (charts, no network) from run directories");
    cmd->add_option("runs", a->runs,
                    "Run directories (or results.jsonl files); several: side by side")
        ->required();
    cmd->add_option(
        "-o,--out", a->out,
        "Output file (default RUN_DIR/report.html for one run, ./report.html for several)");
    cmd->add_flag("--include-partial", a->options.include_partial,
                  "Also chart levels not measured in full (interrupted, failed calls, SUT died, "
                  "error) in the overviews; they stay marked, and fits never use them");
    cmd->callback([a, &result] { result = run_report(*a); });
}

}  // namespace pbxbench::cli
