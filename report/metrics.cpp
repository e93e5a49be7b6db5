#include "report/metrics.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "report/run_data.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;
using Opt = std::optional<double>;

Opt cpu_avg(const json& r) {
    return number_at(r, "sut.cpu_percent.avg");
}
Opt cpu_peak(const json& r) {
    return number_at(r, "sut.cpu_percent.peak");
}

// Per call: the CPU at full load when the health endpoint saw it, else over the level,
// divided by the level (the target concurrency).
Opt cpu_per_call(const json& r) {
    Opt cpu = number_at(r, "sut.cpu_percent.full_load_avg");
    if (!cpu) cpu = cpu_avg(r);
    Opt level = number_at(r, "level");
    if (!cpu || !level || *level <= 0) return std::nullopt;
    return *cpu / *level;
}

// PSS counts shared pages once (docs/monitor.md); RSS only when PSS was unreadable.
Opt mem_peak(const json& r) {
    Opt pss = number_at(r, "sut.pss_bytes.peak");
    return pss ? pss : number_at(r, "sut.rss_bytes.peak");
}

Opt mem_per_call(const json& r) {
    Opt mem = mem_peak(r);
    Opt level = number_at(r, "level");
    if (!mem || !level || *level <= 0) return std::nullopt;
    return *mem / *level;
}

Opt setup_p50(const json& r) {
    return number_at(r, "latency.setup_ms.p50");
}
Opt setup_p95(const json& r) {
    return number_at(r, "latency.setup_ms.p95");
}
Opt setup_p99(const json& r) {
    return number_at(r, "latency.setup_ms.p99");
}
Opt loss(const json& r) {
    return number_at(r, "media.loss_percent");
}

// MOS only when some call had one (the aggregate reports 0 over no calls).
Opt mos(const json& r) {
    Opt count = number_at(r, "media.mos.count");
    if (!count || *count <= 0) return std::nullopt;
    return number_at(r, "media.mos.mean");
}

Opt completion(const json& r) {
    Opt attempted = number_at(r, "calls.attempted");
    Opt completed = number_at(r, "calls.completed");
    if (!attempted || !completed || *attempted <= 0) return std::nullopt;
    return 100.0 * *completed / *attempted;
}

Opt cpu_slope(const json& r) {
    return number_at(r, "scaling.cpu_percent_fit.slope");
}
Opt mem_slope(const json& r) {
    return number_at(r, "scaling.memory_mb_fit.slope");
}

constexpr std::array<Metric, 13> table{{
    {"cpu_avg_percent", "cpu_avg", "SUT CPU, average (100 = one core)", Unit::cpu_percent,
     Worse::higher, RowKind::level, cpu_avg},
    {"cpu_peak_percent", "cpu_peak", "SUT CPU, peak sample", Unit::cpu_percent, Worse::higher,
     RowKind::level, cpu_peak},
    {"cpu_per_call_percent", "cpu_per_call", "SUT CPU per concurrent call (at full load)",
     Unit::cpu_percent_per_call, Worse::higher, RowKind::level, cpu_per_call},
    {"mem_peak_bytes", "mem_peak", "SUT memory, peak (PSS, else RSS)", Unit::bytes, Worse::higher,
     RowKind::level, mem_peak},
    {"mem_per_call_bytes", "mem_per_call", "SUT memory peak per concurrent call", Unit::bytes,
     Worse::higher, RowKind::level, mem_per_call},
    {"setup_p50_ms", "setup_p50", "call setup latency p50", Unit::ms, Worse::higher, RowKind::level,
     setup_p50},
    {"setup_p95_ms", "setup_p95", "call setup latency p95", Unit::ms, Worse::higher, RowKind::level,
     setup_p95},
    {"setup_p99_ms", "setup_p99", "call setup latency p99", Unit::ms, Worse::higher, RowKind::level,
     setup_p99},
    {"loss_percent", "loss", "media packet loss", Unit::percent, Worse::higher, RowKind::level,
     loss},
    {"mos", "mos_mean", "media MOS, mean over calls", Unit::score, Worse::lower, RowKind::level,
     mos},
    {"completion_percent", "completion", "calls completed / attempted", Unit::percent, Worse::lower,
     RowKind::level, completion},
    {"cpu_slope_percent_per_call", "cpu_slope", "scaling: CPU % per added concurrent call",
     Unit::cpu_percent_per_call, Worse::higher, RowKind::scaling, cpu_slope},
    {"mem_slope_mb_per_call", "mem_slope", "scaling: MB per added concurrent call",
     Unit::mb_per_call, Worse::higher, RowKind::scaling, mem_slope},
}};

std::string printf_string(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    std::string out = buf;
    // A change that rounds to zero reads "+0.00", never "-0.00".
    if (format[1] == '+' && out[0] == '-' && out.find_first_of("123456789") == std::string::npos)
        out[0] = '+';
    return out;
}

}  // namespace

std::span<const Metric> metrics() {
    return table;
}

const Metric* find_metric(std::string_view name) {
    for (const Metric& m : table)
        if (m.id == name || m.alias == name) return &m;
    return nullptr;
}

std::string format_value(Unit unit, std::optional<double> value) {
    if (!value || !std::isfinite(*value)) return "n/a";
    const double v = *value;
    switch (unit) {
        case Unit::cpu_percent:
        case Unit::percent:
            return printf_string("%.2f%%", v);
        case Unit::bytes:
            return printf_string("%.2f MB", v / 1e6);
        case Unit::ms:
            return printf_string("%.2f ms", v);
        case Unit::score:
            return printf_string("%.2f", v);
        case Unit::cpu_percent_per_call:
            return printf_string("%.4f%%", v);
        case Unit::mb_per_call:
            return printf_string("%.4f MB", v);
    }
    return "n/a";
}

std::string format_delta(Unit unit, std::optional<double> delta) {
    if (!delta || !std::isfinite(*delta)) return "n/a";
    const double v = *delta;
    switch (unit) {
        case Unit::cpu_percent:
        case Unit::percent:
            return printf_string("%+.2f pp", v);
        case Unit::bytes:
            return printf_string("%+.2f MB", v / 1e6);
        case Unit::ms:
            return printf_string("%+.2f ms", v);
        case Unit::score:
            return printf_string("%+.2f", v);
        case Unit::cpu_percent_per_call:
            return printf_string("%+.4f pp", v);
        case Unit::mb_per_call:
            return printf_string("%+.4f MB", v);
    }
    return "n/a";
}

std::string_view threshold_suffix(Unit unit) {
    switch (unit) {
        case Unit::cpu_percent:
        case Unit::percent:
        case Unit::cpu_percent_per_call:
            return "pp";
        case Unit::bytes:
        case Unit::mb_per_call:
            return "MB";
        case Unit::ms:
            return "ms";
        case Unit::score:
            return "";
    }
    return "";
}

}  // namespace pbxbench::report
