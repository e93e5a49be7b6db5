#include "harness/template.hpp"

namespace pbxbench::harness {

namespace {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

std::string known_list(const Variables& vars) {
    std::string out;
    for (const auto& [name, value] : vars) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
}

// One pass over `text` shared by rendering and scanning: calls `on_text` for literal pieces and
// `on_var(name, line, column)` for references; returns an error for a malformed `${`.
template <class OnText, class OnVar>
Result<void> scan(std::string_view text, std::string_view what, OnText on_text, OnVar on_var) {
    int line = 1;
    std::size_t line_start = 0;
    std::size_t literal_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
            continue;
        }
        if (text[i] != '$') continue;
        const int column = static_cast<int>(i - line_start) + 1;
        if (text.substr(i, 3) == "$${") {
            on_text(text.substr(literal_from, i - literal_from));
            on_text("${");
            i += 2;
            literal_from = i + 1;
            continue;
        }
        if (text.substr(i, 2) != "${") continue;
        std::size_t j = i + 2;
        while (j < text.size() && is_name_char(text[j])) ++j;
        if (j == i + 2 || !is_name_start(text[i + 2]) || j >= text.size() || text[j] != '}') {
            return fail(std::string(what) + " line " + std::to_string(line) + ":" + std::to_string(column) +
                        ": malformed variable reference (write ${NAME}, or $${ for a literal ${)");
        }
        on_text(text.substr(literal_from, i - literal_from));
        auto r = on_var(std::string(text.substr(i + 2, j - i - 2)), line, column);
        if (!r) return r;
        i = j;
        literal_from = j + 1;
    }
    on_text(text.substr(literal_from));
    return {};
}

}  // namespace

Result<std::string> render_template(std::string_view text, const Variables& vars, std::string_view what) {
    std::string out;
    out.reserve(text.size());
    auto r = scan(
        text, what, [&](std::string_view piece) { out += piece; },
        [&](const std::string& name, int line, int column) -> Result<void> {
            auto it = vars.find(name);
            if (it == vars.end()) {
                return fail(std::string(what) + " line " + std::to_string(line) + ":" + std::to_string(column) +
                            ": unknown variable ${" + name + "} (known: " + known_list(vars) + ")");
            }
            out += it->second;
            return {};
        });
    if (!r) return tl::unexpected(r.error());
    return out;
}

std::set<std::string> referenced_variables(std::string_view text) {
    std::set<std::string> names;
    (void)scan(
        text, "", [](std::string_view) {},
        [&](const std::string& name, int, int) -> Result<void> {
            names.insert(name);
            return {};
        });
    return names;
}

}  // namespace pbxbench::harness
