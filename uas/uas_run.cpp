#include "uas/uas_run.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pbxbench::uas {

namespace {

using Clock = std::chrono::steady_clock;

class Runner final : public PoolListener {
  public:
    Runner(boost::asio::io_context& io, const RunOptions& options, UasEvents& events)
        : io_(io),
          options_(options),
          events_(events),
          signals_(io, SIGINT, SIGTERM),
          stats_timer_(io),
          duration_timer_(io),
          started_(Clock::now()) {}

    Result<ExitCode> run() {
        auto pool = UasPool::open(io_, options_.pool, *this);
        if (!pool) return tl::unexpected(pool.error());
        pool_ = std::move(*pool);
        wait_for_signal();
        if (pool_->registering()) {
            events_.progress("registering " + std::to_string(pool_->size()) + " endpoint(s) at " +
                             options_.pool.registrar->to_string());
        }
        pool_->start();
        io_.run();
        events_.summary(snapshot(), !failure_.empty()           ? "registration_failed"
                                    : interrupted_before_ready_ ? "interrupted"
                                                                : "completed");
        if (!failure_.empty()) return fail(failure_);
        return interrupted_before_ready_ ? ExitCode::interrupted : ExitCode::success;
    }

    void on_registered(std::size_t index) override {
        const UasAgent& agent = pool_->agent(index);
        const sip::Registration& r = *agent.registration();
        events_.registered(RegisteredEvent{index, r.config().user, pool_->port(index),
                                           r.last_status(), r.accepted_contact(),
                                           r.granted_expires().count()});
    }

    void on_ready() override {
        ready_ = true;
        ReadyEvent e;
        e.registered = pool_->registering();
        for (std::size_t i = 0; i < pool_->size(); ++i) {
            e.users.push_back(pool_->agent(i).config().user);
            e.ports.push_back(pool_->port(i));
        }
        events_.ready(e);
        events_.progress("ready: " + std::to_string(pool_->size()) +
                         " endpoint(s) answering calls" +
                         (options_.duration.count() > 0
                              ? " for " + std::to_string(options_.duration.count()) + " s"
                              : "; stop with Ctrl-C"));
        arm_stats();
        if (options_.duration.count() > 0) {
            duration_timer_.expires_after(options_.duration);
            duration_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) begin_shutdown();
            });
        }
    }

    void on_registration_failed(std::size_t index) override {
        if (!failure_.empty()) return;
        const sip::Registration& r = *pool_->agent(index).registration();
        failure_ = "registration of " + r.config().user + " at " +
                   r.config().registrar.to_string() +
                   " failed: " + std::to_string(r.last_status()) + " " + r.last_reason();
        if (!r.failure_hint().empty()) failure_ += " (" + r.failure_hint() + ")";
        if (ready_) failure_ += " while refreshing";
        begin_shutdown();
    }

  private:
    void wait_for_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
            if (ec) return;
            if (stopping_) {
                // A second signal: the user does not want to wait for the un-REGISTERs.
                events_.progress("second signal: stopping without waiting");
                finish();
                return;
            }
            events_.progress(std::string("got ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                             ", un-registering and stopping");
            if (!ready_) interrupted_before_ready_ = true;
            begin_shutdown();
            wait_for_signal();
        });
    }

    void arm_stats() {
        if (options_.stats_interval.count() <= 0 || stopping_) return;
        stats_timer_.expires_after(options_.stats_interval);
        stats_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            events_.stats(snapshot());
            arm_stats();
        });
    }

    void begin_shutdown() {
        if (stopping_) return;
        stopping_ = true;
        stats_timer_.cancel();
        duration_timer_.cancel();
        pool_->shutdown(options_.unregister_limit, [this] {
            if (std::size_t left = pool_->unregister_pending()) {
                events_.progress(
                    "warning: " + std::to_string(left) + " endpoint(s) got no answer to their " +
                    "un-REGISTER within the time limit; the registrar keeps those bindings " +
                    "until they expire");
            }
            finish();
        });
    }

    void finish() {
        boost::system::error_code ignored;
        signals_.clear(ignored);  // a cancelled set would still swallow SIGTERM
        signals_.cancel();
        stats_timer_.cancel();
        duration_timer_.cancel();
        pool_->close();
        io_.stop();
    }

    StatsSnapshot snapshot() const {
        StatsSnapshot s;
        s.elapsed_s = std::chrono::duration<double>(Clock::now() - started_).count();
        if (!pool_) return s;
        s.endpoints = pool_->size();
        s.counters = pool_->counters();
        s.calls_per_user = pool_->calls_per_user();
        s.active_dialogs = pool_->active_dialogs();
        s.ringing = pool_->ringing();
        s.media = pool_->media_json();
        s.messages = pool_->messages_json();
        return s;
    }

    boost::asio::io_context& io_;
    const RunOptions& options_;
    UasEvents& events_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer stats_timer_;
    boost::asio::steady_timer duration_timer_;
    Clock::time_point started_;
    std::unique_ptr<UasPool> pool_;
    bool ready_ = false;
    bool stopping_ = false;
    bool interrupted_before_ready_ = false;
    std::string failure_;
};

}  // namespace

Result<ExitCode> run_uas(const RunOptions& options, UasEvents& events) {
    boost::asio::io_context io;
    Runner runner(io, options, events);
    return runner.run();
}

}  // namespace pbxbench::uas
