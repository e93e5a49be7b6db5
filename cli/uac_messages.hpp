#pragma once
// `pbxbench uac --messages N`: the MESSAGE load on the call batch's io_context, with its own
// socket and transaction layer (uac/method_load_driver), beside the calls or alone
// (--total 0). Its figures go into the summary as `methods.message`.
#include <chrono>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "uac/batch_options.hpp"
#include "uac/method_load_driver.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::cli {

class UacMessages {
  public:
    // Null without --messages; throws Fatal (usage) on bad options or a socket it cannot bind.
    static std::unique_ptr<UacMessages> open(boost::asio::io_context& io, const uac::UacArgs& args,
                                             const uac::BatchOptions& batch);

    void start(std::function<void()> on_finished);
    void stop(std::chrono::milliseconds grace) { driver_->stop(grace); }
    bool finished() const { return driver_->finished(); }
    // Adds {"messages": {sent, ok, failed}} to a progress line.
    void add_progress(nlohmann::json& progress) const;
    // Adds `methods.message` (uac/method_load_json plus the socket's figures and the CPU per
    // 1,000 MESSAGEs when no calls ran) to the summary.
    void add_summary(nlohmann::json& summary, bool calls_ran) const;
    // Every MESSAGE sent ended in a 2xx.
    bool all_ok() const;
    std::string describe() const;

  private:
    explicit UacMessages(std::unique_ptr<uac::MethodLoadDriver> driver, std::uint64_t total,
                         double rate);
    std::unique_ptr<uac::MethodLoadDriver> driver_;
    std::uint64_t total_;
    double rate_;
};

}  // namespace pbxbench::cli
