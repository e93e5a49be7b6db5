#include "harness/terminal_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "harness/json_path.hpp"
#include "report/level_state.hpp"
#include "report/metrics.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string figure(const char* id, const json& row) {
    const report::Metric* m = report::find_metric(id);
    return report::format_value(m->unit, m->extract(row));
}

std::string state_text(report::LevelState state) {
    std::string words(report::state_words(state));
    if (state != report::LevelState::ok)
        for (char& c : words) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return words;
}

// A level whose figures are only partial: interrupted, SUT died, error.
bool cut_short(report::LevelState state) {
    return state != report::LevelState::ok && state != report::LevelState::calls_failed;
}

std::string name_of(const json& row) {
    const json& scenario = json_at(row, {"scenario"});
    const json& level = json_at(row, {"level"});
    return (scenario.is_string() ? scenario.get<std::string>() : std::string("?")) + "@" +
           (level.is_number() ? std::to_string(level.get<long>()) : std::string("?"));
}

std::string completed_text(const json& row) {
    const json& completed = json_at(row, {"calls", "completed"});
    const json& level = json_at(row, {"level"});
    if (!completed.is_number() || !level.is_number()) return "n/a";
    return std::to_string(completed.get<long>()) + "/" + std::to_string(level.get<long>());
}

// Left-aligned in `width` columns, cut with "~" when longer.
std::string cell(std::string text, std::size_t width) {
    if (text.size() > width) text = text.substr(0, width - 1) + "~";
    return text + std::string(width - text.size(), ' ');
}

}  // namespace

std::string level_headline(const json& row) {
    const report::LevelState state = report::level_state(row);
    std::string out = name_of(row) + " " + state_text(state);
    if (cut_short(state)) {
        const json& error = json_at(row, {"error"});
        if (error.is_string()) {
            std::string first = error.get<std::string>();
            first = first.substr(0, first.find('\n'));
            if (first.size() > 120) first = first.substr(0, 119) + "~";
            out += ": " + first;
        }
        return out;
    }
    return out + ": " + completed_text(row) + " calls, setup p95 " + figure("setup_p95_ms", row) +
           ", CPU/call " + figure("cpu_per_call_percent", row) + ", loss " +
           figure("loss_percent", row);
}

std::string render_terminal_summary(const std::vector<json>& rows,
                                    const std::filesystem::path& summary_md,
                                    const std::filesystem::path& report_html) {
    // Widths add up to 95 columns with the separators, within terminal_summary_columns.
    const std::size_t widths[] = {24, 13, 11, 11, 10, 10, 8};
    const char* headers[] = {"level",    "state",  "completed", "setup p95",
                             "CPU/call", "memory", "loss"};
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += (i ? "  " : "") + cell(cells[i], widths[i]);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out =
        "\nResults (CPU/call: % of one core at full load; memory: SUT peak PSS, else RSS, "
        "in MB):\n";
    out += line({headers, headers + 7});
    bool any = false;
    for (const json& row : rows) {
        if (json_at(row, {"kind"}) != "level") continue;
        any = true;
        const report::LevelState state = report::level_state(row);
        if (cut_short(state)) {
            out += line({name_of(row), state_text(state), "n/a", "-", "-", "-", "-"});
            continue;
        }
        out += line({name_of(row), state_text(state), completed_text(row),
                     figure("setup_p95_ms", row), figure("cpu_per_call_percent", row),
                     figure("mem_peak_bytes", row), figure("loss_percent", row)});
    }
    if (!any) out += "(no level was measured)\n";
    out += "Every table (status codes, latency, memory, media, scaling, errors):\n  " +
           summary_md.string() + "\n";
    if (!report_html.empty()) out += "Charts:\n  " + report_html.string() + "\n";
    return out;
}

}  // namespace pbxbench::harness
