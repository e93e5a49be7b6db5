#include "cli/uac_messages.hpp"

#include <sstream>

#include "base/error.hpp"
#include "uac/batch_report.hpp"
#include "uac/message_args.hpp"
#include "uac/method_load_json.hpp"

namespace pbxbench::cli {

UacMessages::UacMessages(std::unique_ptr<uac::MethodLoadDriver> driver, std::uint64_t total,
                         double rate)
    : driver_(std::move(driver)), total_(total), rate_(rate) {}

std::unique_ptr<UacMessages> UacMessages::open(boost::asio::io_context& io,
                                               const uac::UacArgs& args,
                                               const uac::BatchOptions& batch) {
    if (args.messages == 0) return nullptr;
    auto options = uac::message_load_options(args, batch);
    if (!options) throw Fatal(options.error().message, ExitCode::usage);
    uac::MethodDriverOptions d;
    // The calls' own socket keeps --bind's port; MESSAGEs go from another free port there.
    d.bind = batch.bind;
    if (d.bind.port != 0) {
        auto any = sip::make_address(batch.bind.host(), 0);
        if (any) d.bind = *any;
    }
    d.timers = batch.timers;
    d.tick = batch.tick;
    auto driver = std::make_unique<uac::MethodLoadDriver>(
        io, std::make_unique<uac::MessageLoad>(std::move(*options)), d);
    if (auto opened = driver->open(); !opened)
        throw Fatal("--messages: " + opened.error().message, ExitCode::usage);
    return std::unique_ptr<UacMessages>(
        new UacMessages(std::move(driver), args.messages, args.message_rate));
}

void UacMessages::start(std::function<void()> on_finished) {
    driver_->start(std::move(on_finished));
}

void UacMessages::add_progress(nlohmann::json& progress) const {
    const uac::MethodLoadReport r = driver_->report();
    progress["messages"] = {{"sent", r.sent}, {"ok", r.ok}, {"failed", r.failed}};
}

void UacMessages::add_summary(nlohmann::json& summary, bool calls_ran) const {
    const uac::MethodLoadReport r = driver_->report();
    nlohmann::json m = uac::method_report_json(r);
    m["config"] = {
        {"total", total_}, {"rate", rate_}, {"local", driver_->local_address().to_string()}};
    const auto& t = driver_->transaction_counters();
    m["transactions"] = {{"retransmissions_sent", t.retransmissions_sent},
                         {"retransmissions_received", t.retransmissions_received},
                         {"timeouts", t.timeouts},
                         {"stray_responses", t.stray_responses},
                         {"parse_errors", t.parse_errors}};
    m["sip_datagrams"] = {{"sent", driver_->datagrams_sent()},
                          {"received", driver_->datagrams_received()}};
    m["socket_kernel_drops"] = driver_->kernel_drops();
    // With no calls the process's CPU is the MESSAGE load's alone.
    if (!calls_ran && r.sent > 0 && summary.contains("generator")) {
        const double cpu_s = summary["generator"].value("cpu_s", 0.0);
        m["cpu_s_per_1000_messages"] = cpu_s * 1000.0 / static_cast<double>(r.sent);
    }
    summary["methods"]["message"] = std::move(m);
}

bool UacMessages::all_ok() const {
    const uac::MethodLoadReport r = driver_->report();
    return r.failed == 0 && r.ok == r.sent && r.sent == total_;
}

std::string UacMessages::describe() const {
    const uac::MethodLoadReport r = driver_->report();
    std::ostringstream out;
    out << r.ok << " of " << total_ << " MESSAGEs succeeded, " << r.failed << " failed";
    if (!r.failures.empty()) out << " " << nlohmann::json(r.failures).dump();
    return out.str();
}

}  // namespace pbxbench::cli
