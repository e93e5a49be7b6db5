#include "report/metrics.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "report/run_data.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;
using Opt = std::optional<double>;
constexpr Opt none_ = std::nullopt;

Opt cpu_avg(const json& r) {
    return number_at(r, "sut.cpu_percent.avg");
}
Opt cpu_peak(const json& r) {
    return number_at(r, "sut.cpu_percent.peak");
}

// The CPU a level costs: averaged over the samples at full load when the health endpoint saw
// it (ramp and drain left out), else over the whole level. Scaling fits use this.
Opt cpu_full_load(const json& r) {
    Opt cpu = number_at(r, "sut.cpu_percent.full_load_avg");
    return cpu ? cpu : cpu_avg(r);
}

// Per call: that CPU divided by the level (the target concurrency).
Opt cpu_per_call(const json& r) {
    Opt cpu = cpu_full_load(r);
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

// Method loads (docs/results.md "methods"): request to final 2xx, challenge included.
Opt register_p50(const json& r) {
    return number_at(r, "methods.register.latency_ms.p50");
}
Opt register_p95(const json& r) {
    return number_at(r, "methods.register.latency_ms.p95");
}
Opt register_p99(const json& r) {
    return number_at(r, "methods.register.latency_ms.p99");
}
Opt options_p95(const json& r) {
    return number_at(r, "methods.options.latency_ms.p95");
}
Opt register_bytes_per_contact(const json& r) {
    return number_at(r, "methods.register.sut_bytes_per_contact");
}
// Mid-call flows (hold/resume by re-INVITE): only when some re-INVITE of the kind got a 2xx.
Opt midcall_latency(const json& r, const char* count_path, const char* value_path) {
    Opt count = number_at(r, count_path);
    if (!count || *count <= 0) return std::nullopt;
    return number_at(r, value_path);
}
Opt hold_p50(const json& r) {
    return midcall_latency(r, "midcall.hold.latency_ms.count", "midcall.hold.latency_ms.p50");
}
Opt hold_p95(const json& r) {
    return midcall_latency(r, "midcall.hold.latency_ms.count", "midcall.hold.latency_ms.p95");
}
Opt resume_p50(const json& r) {
    return midcall_latency(r, "midcall.resume.latency_ms.count", "midcall.resume.latency_ms.p50");
}
Opt resume_p95(const json& r) {
    return midcall_latency(r, "midcall.resume.latency_ms.count", "midcall.resume.latency_ms.p95");
}

Opt cpu_slope(const json& r) {
    return number_at(r, "scaling.cpu_percent_fit.slope");
}
Opt mem_slope(const json& r) {
    return number_at(r, "scaling.memory_mb_fit.slope");
}

// The management-API load beside the calls (row "http_load.streams"): the slowest stream's
// latency p95 over its answered requests; none when no stream had an answer.
Opt api_p95(const json& r) {
    auto streams = r.find("http_load");
    if (streams == r.end() || !streams->is_object() || !streams->contains("streams")) return none_;
    Opt worst;
    for (const json& s : (*streams)["streams"]) {
        Opt p95 = number_at(s, "latency_ms.p95");
        if (p95 && (!worst || *p95 > *worst)) worst = p95;
    }
    return worst;
}

// Answered requests (any HTTP status) over requests sent, every stream together.
Opt api_answered(const json& r) {
    auto streams = r.find("http_load");
    if (streams == r.end() || !streams->is_object() || !streams->contains("streams")) return none_;
    double sent = 0, answered = 0;
    for (const json& s : (*streams)["streams"]) {
        sent += number_at(s, "sent").value_or(0);
        answered += number_at(s, "answered").value_or(0);
    }
    if (sent <= 0) return none_;
    return 100.0 * answered / sent;
}

// MESSAGEs delivered (distinct ids at the endpoints) over MESSAGEs sent (docs/results.md
// "messages"); none without a MESSAGE load.
Opt message_delivered(const json& r) {
    Opt sent = number_at(r, "messages.sent");
    Opt delivered = number_at(r, "messages.delivered");
    if (!sent || !delivered || *sent <= 0) return none_;
    return 100.0 * *delivered / *sent;
}

constexpr std::optional<double> none = std::nullopt;

// CPU is counted in 10 ms /proc ticks (2 pp of a core per 500 ms sample), so small absolute
// moves are measurement noise; the absolute floors keep quiet runs from failing.
constexpr std::array<Metric, 26> table{{
    {"cpu_avg_percent", "cpu_avg", "CPU avg", "SUT CPU, average (100 = one core)",
     Unit::cpu_percent, Worse::higher, RowKind::level, cpu_avg, 10, 1.0},
    {"cpu_peak_percent", "cpu_peak", "CPU peak", "SUT CPU, peak sample", Unit::cpu_percent,
     Worse::higher, RowKind::level, cpu_peak, 10, 2.0},
    {"cpu_full_load_percent", "cpu_full_load", "CPU at full load",
     "SUT CPU at full load (samples with 95% of the calls; the level's average without them)",
     Unit::cpu_percent, Worse::higher, RowKind::level, cpu_full_load, none, none},
    {"cpu_per_call_percent", "cpu_per_call", "CPU per call",
     "SUT CPU per concurrent call (at full load)", Unit::cpu_percent_per_call, Worse::higher,
     RowKind::level, cpu_per_call, 10, none},
    {"mem_peak_bytes", "mem_peak", "Memory peak", "SUT memory, peak (PSS, else RSS)", Unit::bytes,
     Worse::higher, RowKind::level, mem_peak, 10, none},
    {"mem_per_call_bytes", "mem_per_call", "Memory per call", "SUT memory peak per concurrent call",
     Unit::bytes, Worse::higher, RowKind::level, mem_per_call, 10, none},
    {"setup_p50_ms", "setup_p50", "Setup p50", "call setup latency p50", Unit::ms, Worse::higher,
     RowKind::level, setup_p50, 10, 2.0},
    {"setup_p95_ms", "setup_p95", "Setup p95", "call setup latency p95", Unit::ms, Worse::higher,
     RowKind::level, setup_p95, 10, 2.0},
    {"setup_p99_ms", "setup_p99", "Setup p99", "call setup latency p99", Unit::ms, Worse::higher,
     RowKind::level, setup_p99, 10, 2.0},
    {"loss_percent", "loss", "Media loss", "media packet loss", Unit::percent, Worse::higher,
     RowKind::level, loss, none, 0.5},
    {"mos", "mos_mean", "MOS", "media MOS, mean over calls", Unit::score, Worse::lower,
     RowKind::level, mos, none, 0.1},
    {"completion_percent", "completion", "Completion", "calls completed / attempted", Unit::percent,
     Worse::lower, RowKind::level, completion, none, 0.1},
    {"api_p95_ms", "api_p95", "API p95", "management-API latency p95 (slowest stream)", Unit::ms,
     Worse::higher, RowKind::level, api_p95, 10, 2.0},
    {"api_answered_percent", "api_answered", "API answered",
     "management-API requests answered / sent", Unit::percent, Worse::lower, RowKind::level,
     api_answered, none, 1.0},
    {"message_delivered_percent", "message_delivered", "MESSAGE delivered",
     "MESSAGEs delivered to the endpoints / sent", Unit::percent, Worse::lower, RowKind::level,
     message_delivered, none, 0.1},
    {"register_p50_ms", "register_p50", "REGISTER p50",
     "registration latency p50 (request to 200, challenge included)", Unit::ms, Worse::higher,
     RowKind::level, register_p50, 10, 2.0},
    {"register_p95_ms", "register_p95", "REGISTER p95", "registration latency p95", Unit::ms,
     Worse::higher, RowKind::level, register_p95, 10, 2.0},
    {"register_p99_ms", "register_p99", "REGISTER p99", "registration latency p99", Unit::ms,
     Worse::higher, RowKind::level, register_p99, 10, 2.0},
    {"options_p95_ms", "options_p95", "OPTIONS p95", "OPTIONS ping latency p95", Unit::ms,
     Worse::higher, RowKind::level, options_p95, 10, 2.0},
    {"register_bytes_per_contact", "bytes_per_contact", "Memory per contact",
     "SUT memory rise per registered contact (PSS, else RSS)", Unit::bytes_each, Worse::higher,
     RowKind::level, register_bytes_per_contact, 10, none},
    {"hold_p50_ms", "hold_p50", "Hold p50", "hold re-INVITE (a=sendonly) to its 2xx, p50", Unit::ms,
     Worse::higher, RowKind::level, hold_p50, 10, 2.0},
    {"hold_p95_ms", "hold_p95", "Hold p95", "hold re-INVITE (a=sendonly) to its 2xx, p95", Unit::ms,
     Worse::higher, RowKind::level, hold_p95, 10, 2.0},
    {"resume_p50_ms", "resume_p50", "Resume p50", "resume re-INVITE (a=sendrecv) to its 2xx, p50",
     Unit::ms, Worse::higher, RowKind::level, resume_p50, 10, 2.0},
    {"resume_p95_ms", "resume_p95", "Resume p95", "resume re-INVITE (a=sendrecv) to its 2xx, p95",
     Unit::ms, Worse::higher, RowKind::level, resume_p95, 10, 2.0},
    {"cpu_slope_percent_per_call", "cpu_slope", "CPU slope",
     "scaling: CPU % per added concurrent call", Unit::cpu_percent_per_call, Worse::higher,
     RowKind::scaling, cpu_slope, 10, none},
    {"mem_slope_mb_per_call", "mem_slope", "Memory slope", "scaling: MB per added concurrent call",
     Unit::mb_per_call, Worse::higher, RowKind::scaling, mem_slope, 10, none},
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

json metrics_object(const json& row, RowKind kind) {
    json out = json::object();
    for (const Metric& m : table) {
        if (m.kind != kind) continue;
        Opt v = m.extract(row);
        out[std::string(m.id)] = v && std::isfinite(*v) ? json(*v) : json(nullptr);
    }
    return out;
}

std::string_view unit_words(Unit unit) {
    switch (unit) {
        case Unit::cpu_percent:
            return "% of one core";
        case Unit::percent:
            return "%";
        case Unit::bytes:
            return "bytes (printed in MB of 10^6)";
        case Unit::ms:
            return "ms";
        case Unit::score:
            return "MOS (1-5)";
        case Unit::cpu_percent_per_call:
            return "% of one core per call";
        case Unit::mb_per_call:
            return "MB per call";
        case Unit::bytes_each:
            return "bytes";
    }
    return "";
}

std::string_view unit_short(Unit unit) {
    switch (unit) {
        case Unit::cpu_percent:
            return "% of one core";
        case Unit::percent:
            return "%";
        case Unit::bytes:
            return "MB";
        case Unit::ms:
            return "ms";
        case Unit::score:
            return "MOS";
        case Unit::cpu_percent_per_call:
            return "% of one core per call";
        case Unit::mb_per_call:
            return "MB per call";
        case Unit::bytes_each:
            return "bytes";
    }
    return "";
}

std::string label_with_unit(const Metric& metric) {
    return std::string(metric.label) + " (" + std::string(unit_short(metric.unit)) + ")";
}

std::string metrics_markdown() {
    auto limit = [](const Metric& m) {
        const char* sign = m.worse == Worse::higher ? "+" : "-";
        std::string out;
        char buf[48];
        if (m.default_relative_percent) {
            std::snprintf(buf, sizeof buf, "%s%g%%", sign, *m.default_relative_percent);
            out = buf;
        }
        if (m.default_absolute) {
            const double scale = m.unit == Unit::bytes ? 1e6 : 1.0;
            std::snprintf(buf, sizeof buf, "%s%g", sign, *m.default_absolute / scale);
            out += (out.empty() ? "" : " and ") + std::string(buf);
            const std::string_view suffix = threshold_suffix(m.unit);
            if (!suffix.empty()) out += " " + std::string(suffix);
        }
        return out.empty() ? std::string("off (shown, not judged)") : out;
    };
    std::string out =
        "| id (`metrics.<id>`) | alias | row | meaning | unit | worse when | compare default |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const Metric& m : table) {
        out += "| `" + std::string(m.id) + "` | `" + std::string(m.alias) + "` | " +
               (m.kind == RowKind::level ? "level" : "scaling") + " | " +
               std::string(m.description) + " | " + std::string(unit_words(m.unit)) + " | " +
               (m.worse == Worse::higher ? "higher" : "lower") + " | " + limit(m) + " |\n";
    }
    return out;
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
        case Unit::bytes_each:
            return printf_string("%.0f bytes", v);
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
        case Unit::bytes_each:
            return printf_string("%+.0f bytes", v);
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
        case Unit::bytes_each:
            return "";
    }
    return "";
}

}  // namespace pbxbench::report
