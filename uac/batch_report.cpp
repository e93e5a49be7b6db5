#include "uac/batch_report.hpp"

#include <sys/resource.h>

#include <cstdio>

namespace pbxbench::uac {

namespace {

nlohmann::json failed_by_reason(const CallStats& s) {
    nlohmann::json j = s.outcomes_json();
    j.erase("completed");
    return j;
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

}  // namespace

nlohmann::json ProgressReporter::media_rates(double window_s) {
    const media::MediaEngine* m = batch_.media();
    if (m == nullptr) return nullptr;
    const media::EngineCounters c = m->counters();
    auto rate = [window_s](std::uint64_t now, std::uint64_t before) {
        return window_s > 0 ? static_cast<double>(now - before) / window_s : 0.0;
    };
    nlohmann::json j = {
        {"streams", m->streams()},
        // Totals so far, so a reader can show the loss up to now (pbxbench run's live view).
        {"packets_sent", c.packets_sent},
        {"packets_received", c.packets_received},
        {"packets_out_per_s", rate(c.packets_sent, last_media_.packets_sent)},
        {"packets_in_per_s", rate(c.packets_received, last_media_.packets_received)},
        {"kernel_drops", c.kernel_drops},
        {"pacing_lag_p99_ms", m->pacing_lag().percentile_ms(99)}};
    last_media_ = c;
    return j;
}

nlohmann::json ProgressReporter::next() {
    const sip::TimePoint now = sip::Clock::now();
    const CallStats& s = batch_.stats();
    double window_s = std::chrono::duration<double>(now - last_).count();
    double cps = window_s > 0 ? static_cast<double>(s.attempted - last_attempted_) / window_s : 0;
    last_ = now;
    last_attempted_ = s.attempted;
    const auto& t = batch_.transaction_counters();
    return {{"event", "progress"},
            {"elapsed_s", std::chrono::duration<double>(now - start_).count()},
            {"attempted", s.attempted},
            {"active", batch_.active()},
            {"completed", s.count(Outcome::completed)},
            {"failed", s.failed()},
            {"failed_by_reason", failed_by_reason(s)},
            {"retransmissions", t.retransmissions_sent},
            {"cps", cps},
            {"media", media_rates(window_s)}};
}

std::string ProgressReporter::human_line(const nlohmann::json& p) const {
    char line[200];
    std::snprintf(
        line, sizeof line,
        "\r%6.1fs  attempted %-8llu active %-7llu completed %-8llu failed %-6llu %7.1f cps  ",
        p["elapsed_s"].get<double>(), p["attempted"].get<unsigned long long>(),
        p["active"].get<unsigned long long>(), p["completed"].get<unsigned long long>(),
        p["failed"].get<unsigned long long>(), p["cps"].get<double>());
    return line;
}

ProcessCpu process_cpu() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

BatchTotals totals_of(const CallBatch& batch) {
    BatchTotals t;
    t.options = &batch.options();
    t.local = batch.local_address().to_string();
    t.stats = batch.stats();
    t.transactions = batch.transaction_counters();
    t.kernel_drops = batch.kernel_drops();
    t.sip_datagrams_sent = batch.datagrams_sent();
    t.sip_datagrams_received = batch.datagrams_received();
    t.media = batch.media() ? batch.media()->to_json() : nlohmann::json(nullptr);
    t.registration = batch.registration();
    t.setup_error = batch.setup_error();
    return t;
}

BatchTotals merge_totals(const std::vector<const CallBatch*>& shards) {
    BatchTotals t;
    media::MediaAggregate aggregate;
    media::LagHistogram lag;
    media::EngineCounters counters;
    bool media = false;
    for (const CallBatch* b : shards) {
        if (t.options == nullptr) t.options = &b->options();
        t.local += (t.local.empty() ? "" : ",") + b->local_address().to_string();
        t.stats.merge(b->stats());
        const sip::TransactionCounters& c = b->transaction_counters();
        t.transactions.client_started += c.client_started;
        t.transactions.server_started += c.server_started;
        t.transactions.retransmissions_sent += c.retransmissions_sent;
        t.transactions.retransmissions_received += c.retransmissions_received;
        t.transactions.timeouts += c.timeouts;
        t.transactions.transport_errors += c.transport_errors;
        t.transactions.parse_errors += c.parse_errors;
        t.transactions.stray_responses += c.stray_responses;
        t.kernel_drops += b->kernel_drops();
        t.sip_datagrams_sent += b->datagrams_sent();
        t.sip_datagrams_received += b->datagrams_received();
        if (const media::MediaEngine* m = b->media()) {
            media = true;
            aggregate.merge(m->aggregate());
            lag.merge(m->pacing_lag());
            counters += m->counters();
        }
        if (t.setup_error.empty()) t.setup_error = b->setup_error();
    }
    t.shards = shards.size();
    if (media && t.options) {
        const auto& eo = t.options->media_engine;
        t.media = media::media_report_json(aggregate, lag, counters,
                                           eo.shared_sockets > 0 ? "shared" : "per_call",
                                           static_cast<double>(eo.tick.count()) / 1000.0);
    }
    return t;
}

nlohmann::json summary_json(const BatchTotals& totals, double wall_s, const ProcessCpu& cpu,
                            bool interrupted) {
    const BatchOptions& o = *totals.options;
    const CallStats& s = totals.stats;
    const auto& t = totals.transactions;
    nlohmann::json status_codes = nlohmann::json::object();
    for (const auto& [code, n] : s.final_status) status_codes[std::to_string(code)] = n;
    double cpu_s = cpu.user_s + cpu.system_s;
    nlohmann::json registration = nullptr;
    if (const sip::Registration* r = totals.registration) {
        registration = {
            {"user", r->config().user},         {"state", std::string(sip::to_string(r->state()))},
            {"status", r->last_status()},       {"reason", r->last_reason()},
            {"contact", r->accepted_contact()}, {"expires_s", r->granted_expires().count()}};
    }
    nlohmann::json summary = {
        {"event", "summary"},
        {"schema_version", 1},
        {"interrupted", interrupted},
        {"config",
         {{"target", o.target_uri},
          {"next_hop", o.next_hop.to_string()},
          {"local", totals.local},
          {"threads", totals.shards},
          {"total", o.total},
          {"cps", o.cps},
          {"hold_s", std::chrono::duration<double>(o.hold).count()},
          {"hold_at_s", std::chrono::duration<double>(o.hold_at).count()},
          {"hold_for_s", std::chrono::duration<double>(o.hold_for).count()},
          {"max_concurrent", o.max_concurrent},
          {"cancel_ratio", o.cancel_ratio},
          {"ring_timeout_s", std::chrono::duration<double>(o.ring_timeout).count()},
          {"t1_ms", std::chrono::duration<double, std::milli>(o.timers.t1).count()},
          {"tick_ms", o.tick.count()},
          {"call_id_prefix", o.call_id_prefix}}},
        {"setup_error",
         totals.setup_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(totals.setup_error)},
        {"registration", registration},
        {"attempted", s.attempted},
        {"completed", s.count(Outcome::completed)},
        {"failed", s.failed()},
        {"outcomes", s.outcomes_json()},
        {"status_codes", status_codes},
        {"timeouts", s.timeouts},
        {"auth_challenges", s.auth_challenges},
        {"cancel_races", s.cancel_races},
        {"late_provisionals", s.late_provisionals},
        {"latency", s.latency_json()},
        {"transactions",
         {{"client_started", t.client_started},
          {"server_started", t.server_started},
          {"retransmissions_sent", t.retransmissions_sent},
          {"retransmissions_received", t.retransmissions_received},
          {"timeouts", t.timeouts},
          {"transport_errors", t.transport_errors},
          {"parse_errors", t.parse_errors},
          {"stray_responses", t.stray_responses}}},
        {"socket_kernel_drops", totals.kernel_drops},
        {"sip_datagrams",
         {{"sent", totals.sip_datagrams_sent}, {"received", totals.sip_datagrams_received}}},
        {"media", totals.media},
        {"media_unusable_answers", s.media_unusable_answers},
        {"generator",
         {{"wall_s", wall_s},
          {"cpu_user_s", cpu.user_s},
          {"cpu_system_s", cpu.system_s},
          {"cpu_s", cpu_s},
          {"cpu_s_per_1000_calls",
           s.attempted ? cpu_s * 1000.0 / static_cast<double>(s.attempted) : 0.0},
          {"cpu_percent", wall_s > 0 ? cpu_s / wall_s * 100.0 : 0.0}}},
    };
    s.subscribers.add_json(summary);
    summary["midcall"] = s.midcall.to_json();
    return summary;
}

}  // namespace pbxbench::uac
