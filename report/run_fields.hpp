#pragma once
// The run metadata (a row's "run" object) for people: one label per field, read by report.html's
// Runs table and summary.md's test environment, so neither shows a JSON key as a label.
#include <span>
#include <string>
#include <string_view>

namespace pbxbench::report {

struct RunField {
    std::string_view id;     // the key in "run", e.g. "sut_version"
    std::string_view label;  // e.g. "SUT version"
};

// In the order the Runs table lists them.
std::span<const RunField> run_fields();

// The label of `id`, or `id` itself when the table has none.
std::string_view run_field_label(std::string_view id);

// The first line of the SUT's version command without its own "version:" tag, so a labelled
// cell does not say it twice: "version: kamailio 5.6.3 (x86_64/linux)" reads
// "kamailio 5.6.3 (x86_64/linux)".
std::string sut_version_text(std::string_view raw);

}  // namespace pbxbench::report
