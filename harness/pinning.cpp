#include "harness/pinning.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace pbxbench::harness {

namespace {

// CPU numbers above this are certainly typos (cpu_set_t holds 1024).
constexpr int max_cpu = CPU_SETSIZE - 1;

Result<int> parse_cpu(std::string_view text, std::string_view whole) {
    int v = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
        v > max_cpu)
        return fail("'" + std::string(text) + "' in '" + std::string(whole) +
                    "' is not a CPU number (expected e.g. 0, 0-1 or 0,2)");
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// Splits on ',' keeping empty items (so "0,,1" is an error, not "0,1").
std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> items;
    for (std::size_t start = 0;;) {
        std::size_t comma = text.find(',', start);
        items.push_back(trim(text.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return items;
}

// Adds "N" or "A-B" to `out`.
Result<void> add_item(std::string_view item, std::string_view whole, CpuList& out) {
    auto dash = item.find('-');
    auto first = parse_cpu(item.substr(0, dash), whole);
    if (!first) return fail(first.error().message);
    int last = *first;
    if (dash != std::string_view::npos) {
        auto l = parse_cpu(item.substr(dash + 1), whole);
        if (!l) return fail(l.error().message);
        last = *l;
        if (last < *first)
            return fail("'" + std::string(item) + "' in '" + std::string(whole) +
                        "' is an empty range (write the lower CPU first)");
    }
    for (int c = *first; c <= last; ++c) out.push_back(c);
    return {};
}

void sort_unique(CpuList& cpus) {
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
}

}  // namespace

Result<CpuList> parse_cpu_list(std::string_view text) {
    CpuList cpus;
    for (std::string_view item : split_commas(text))
        if (auto r = add_item(item, text, cpus); !r) return fail(r.error().message);
    sort_unique(cpus);
    return cpus;
}

Result<Pinning> parse_pin_option(std::string_view text) {
    Pinning pinning;
    CpuList* current = nullptr;
    bool seen_sut = false, seen_gen = false;
    for (std::string_view item : split_commas(text)) {
        if (auto eq = item.find('='); eq != std::string_view::npos) {
            const std::string_view role = trim(item.substr(0, eq));
            bool* seen = nullptr;
            if (role == "sut") {
                current = &pinning.sut;
                seen = &seen_sut;
            } else if (role == "gen" || role == "generator") {
                current = &pinning.generator;
                seen = &seen_gen;
            } else {
                return fail("'" + std::string(role) + "' in '" + std::string(text) +
                            "' is not a role: expected sut= or gen= (e.g. sut=0,gen=1)");
            }
            if (*seen)
                return fail("'" + std::string(role) + "' appears twice in '" + std::string(text) +
                            "'");
            *seen = true;
            item = trim(item.substr(eq + 1));
        } else if (!current) {
            return fail("'" + std::string(text) +
                        "' does not start with a role: expected e.g. sut=0,gen=1");
        }
        if (auto r = add_item(item, text, *current); !r) return fail(r.error().message);
    }
    sort_unique(pinning.sut);
    sort_unique(pinning.generator);
    CpuList shared;
    std::set_intersection(pinning.sut.begin(), pinning.sut.end(), pinning.generator.begin(),
                          pinning.generator.end(), std::back_inserter(shared));
    if (!shared.empty())
        return fail("'" + std::string(text) + "' gives CPU " + format_cpu_list(shared) +
                    " to both the SUT and the generator; --pin is for separating them (leave "
                    "a role out to let it run anywhere)");
    return pinning;
}

Result<void> check_cpus_allowed(const Pinning& pinning, const CpuList& allowed) {
    CpuList missing;
    for (const CpuList* list : {&pinning.sut, &pinning.generator})
        for (int c : *list)
            if (!std::binary_search(allowed.begin(), allowed.end(), c)) missing.push_back(c);
    sort_unique(missing);
    if (missing.empty()) return {};
    return fail("CPU " + format_cpu_list(missing) + " is not available to this process (it may " +
                "run on CPU " + format_cpu_list(allowed) + ")");
}

CpuList allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    CpuList cpus;
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    return cpus;
}

Result<void> pin_this_thread(const CpuList& cpus) {
    if (cpus.empty()) return {};
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus) CPU_SET(c, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0)
        return fail("sched_setaffinity(" + format_cpu_list(cpus) + "): " + std::strerror(errno));
    return {};
}

std::string format_cpu_list(const CpuList& cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(cpus[i]);
        if (j > i) out += "-" + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

nlohmann::json pinning_json(const Pinning& pinning) {
    if (!pinning.any()) return "none (SUT and generator share the machine)";
    auto list = [](const CpuList& cpus) {
        return cpus.empty() ? nlohmann::json(nullptr) : nlohmann::json(cpus);
    };
    return {{"sut", list(pinning.sut)}, {"generator", list(pinning.generator)}};
}

Result<PinnedCpus> apply_pinning(const Pinning& pinning) {
    const CpuList machine = allowed_cpus();
    if (auto c = check_cpus_allowed(pinning, machine); !c)
        return fail("--pin: " + c.error().message);
    PinnedCpus cpus;
    if (!pinning.any()) return cpus;
    cpus.sut = pinning.sut.empty() ? machine : pinning.sut;
    cpus.generator = pinning.generator.empty() ? machine : pinning.generator;
    if (auto p = pin_this_thread(cpus.generator); !p) return fail("--pin: " + p.error().message);
    return cpus;
}

}  // namespace pbxbench::harness
