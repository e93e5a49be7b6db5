#include "report/run_fields.hpp"

#include <array>
#include <cctype>

namespace pbxbench::report {

namespace {

constexpr std::array<RunField, 10> table{{
    {"profile", "Profile"},
    {"sut_version", "SUT version"},
    {"pbxbench_version", "pbxbench version"},
    {"hostname", "Host"},
    {"cpu_model", "CPU"},
    {"cores", "Cores"},
    {"kernel", "Kernel"},
    {"pinning", "Pinning"},
    {"started_at", "Started (UTC)"},
    {"profile_sha256", "Profile SHA-256"},
}};

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

std::span<const RunField> run_fields() {
    return table;
}

std::string_view run_field_label(std::string_view id) {
    for (const RunField& f : table)
        if (f.id == id) return f.label;
    return id;
}

std::string sut_version_text(std::string_view raw) {
    while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
    constexpr std::string_view tag = "version";
    if (raw.size() > tag.size()) {
        bool same = true;
        for (std::size_t i = 0; i < tag.size(); ++i)
            same = same && std::tolower(static_cast<unsigned char>(raw[i])) == tag[i];
        // Only a tag ("version:" or "Version "), never a word that starts with it.
        if (same && (raw[tag.size()] == ':' || is_space(raw[tag.size()]))) {
            raw.remove_prefix(tag.size() + 1);
            while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
        }
    }
    while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
    return std::string(raw);
}

}  // namespace pbxbench::report
