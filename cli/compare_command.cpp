#include "cli/compare_command.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "report/capacity_compare.hpp"
#include "report/compare.hpp"

namespace pbxbench::cli {

namespace {

struct CompareArgs {
    std::string base_positional, new_positional;
    std::vector<std::string> base, next;  // --base/--new: more repeats per side
    std::vector<std::string> thresholds;
    std::string thresholds_file;
    std::string format = "table";
};

std::vector<report::RunData> load_side(const std::vector<std::string>& paths) {
    std::vector<report::RunData> runs;
    for (const auto& p : paths) {
        auto run = report::load_run(p);
        if (!run) throw Fatal(run.error().message, ExitCode::usage);
        runs.push_back(std::move(*run));
    }
    return runs;
}

// Two `pbxbench capacity` results: the confirmed capacities, a drop beyond
// `-t capacity=-10%` (the default) is a regression.
ExitCode run_capacity_compare(const CompareArgs& a) {
    double drop_percent = 10;
    for (const auto& spec : a.thresholds) {
        if (spec.rfind("capacity=", 0) != 0)
            throw Fatal("--threshold " + spec +
                            ": capacity results have one threshold, "
                            "capacity=-N% (the largest drop that still passes)",
                        ExitCode::usage);
        std::string v = spec.substr(9);
        try {
            std::size_t used = 0;
            double d = std::stod(v, &used);
            if (v.substr(used) != "%" || d > 0) throw std::invalid_argument(v);
            drop_percent = -d;
        } catch (const std::exception&) {
            throw Fatal("--threshold " + spec + ": expected capacity=-N%, e.g. capacity=-5%",
                        ExitCode::usage);
        }
    }
    auto base = report::load_capacity_rows(a.base_positional);
    if (!base) throw Fatal(base.error().message, ExitCode::usage);
    auto next = report::load_capacity_rows(a.new_positional);
    if (!next) throw Fatal(next.error().message, ExitCode::usage);
    const auto changes = report::compare_capacity(*base, *next, drop_percent);
    if (a.format == "json")
        std::cout << report::render_capacity_json(changes, drop_percent).dump(2) << "\n";
    else
        std::cout << report::render_capacity_table(changes, drop_percent, a.format == "markdown");
    std::cout << std::flush;
    for (const auto& c : changes)
        if (c.regression) return ExitCode::failed;
    return ExitCode::success;
}

ExitCode run_compare(const CompareArgs& a) {
    const bool base_capacity =
        !a.base_positional.empty() && report::is_capacity_results(a.base_positional);
    const bool new_capacity =
        !a.new_positional.empty() && report::is_capacity_results(a.new_positional);
    if (base_capacity || new_capacity) {
        if (!(base_capacity && new_capacity) || !a.base.empty() || !a.next.empty())
            throw Fatal(
                "compare: capacity results (capacity.jsonl) compare with capacity "
                "results only, one BASE and one NEW",
                ExitCode::usage);
        return run_capacity_compare(a);
    }
    std::vector<std::string> base = a.base, next = a.next;
    if (!a.base_positional.empty() && a.new_positional.empty())
        throw Fatal("compare: give BASE and NEW (or --base/--new), not one run", ExitCode::usage);
    if (!a.new_positional.empty()) {
        base.insert(base.begin(), a.base_positional);
        next.insert(next.begin(), a.new_positional);
    }
    if (base.empty() || next.empty())
        throw Fatal("compare: needs at least one BASE and one NEW run (pbxbench compare BASE NEW)",
                    ExitCode::usage);
    report::Thresholds thresholds = report::default_thresholds();
    if (!a.thresholds_file.empty())
        if (auto ok = report::apply_threshold_file(thresholds, a.thresholds_file); !ok)
            throw Fatal(ok.error().message, ExitCode::usage);
    for (const auto& spec : a.thresholds)
        if (auto ok = report::apply_threshold(thresholds, spec); !ok)
            throw Fatal(ok.error().message, ExitCode::usage);

    const report::Comparison c = report::compare_runs(load_side(base), load_side(next), thresholds);
    std::cerr << report::render_warnings(c);
    if (a.format == "json")
        std::cout << report::render_json(c).dump(2) << "\n";
    else if (a.format == "markdown")
        std::cout << report::render_markdown(c);
    else
        std::cout << report::render_table(c);
    std::cout << std::flush;
    return c.regressions() > 0 ? ExitCode::failed : ExitCode::success;
}

}  // namespace

void add_compare_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<CompareArgs>();
    CLI::App* cmd = app.add_subcommand(
        "compare", "Compare two runs (BASE NEW): exit 1 when NEW regressed beyond a threshold");
    cmd->add_option("BASE", a->base_positional, "The old run: a run directory or results.jsonl");
    cmd->add_option("NEW", a->new_positional, "The new run: a run directory or results.jsonl");
    // One value per flag, so `--base A BASE NEW` leaves BASE and NEW to the positionals.
    cmd->add_option("--base", a->base,
                    "Another BASE run (repeats: Welch's t-test with >= 2 per side)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    cmd->add_option("--new", a->next, "Another NEW run (repeats)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    cmd->add_option("-t,--threshold", a->thresholds,
                    "NAME=LIMIT[,LIMIT], repeatable: cpu_peak=+10%, setup_p95_ms=+10%,+2ms, "
                    "mos=-0.1, loss=off (see docs/compare.md)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    cmd->add_option("--thresholds", a->thresholds_file, "File of NAME=LIMIT lines")
        ->check(CLI::ExistingFile);
    cmd->add_option("--format", a->format, "table, markdown or json")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "markdown", "json"}));
    cmd->callback([a, &result] { result = run_compare(*a); });
}

}  // namespace pbxbench::cli
