#include "monitor/http_load_driver.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "base/error.hpp"

namespace pbxbench::monitor {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Replies are read and thrown away: the load measures the API, not its payload.
std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
}

// One easy handle, configured once for its stream and reused request after request (the
// multi handle keeps the connections alive between them).
struct Slot {
    std::size_t stream = 0;
    CURL* easy = nullptr;
    char error[CURL_ERROR_SIZE] = {};
};

struct Stream {
    HttpLoadSpec spec;
    OpenLoopSchedule schedule;
    HttpLoadTally tally;
    curl_slist* headers = nullptr;
    std::vector<std::unique_ptr<Slot>> slots;  // every handle made for this stream
    std::vector<Slot*> idle;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 1;
    std::optional<double> ended_s;  // sending over (bound reached), seconds after the start

    explicit Stream(HttpLoadSpec s)
        : spec(std::move(s)), schedule(spec), max_in_flight(effective_max_in_flight(spec)) {}
};

}  // namespace

struct HttpLoadDriver::State {
    std::vector<Stream> streams;
    CURLM* multi = nullptr;
    std::jthread thread;
    SteadyClock::time_point t0;
    bool started = false;
    std::optional<nlohmann::json> results;  // filled once by stop()
    std::atomic<bool> done{false};
    mutable std::mutex done_mutex;
    mutable std::condition_variable done_cv;

    double now_s() const { return std::chrono::duration<double>(SteadyClock::now() - t0).count(); }

    // An idle handle of the stream, or a new one; null only when libcurl is out of memory.
    Slot* take_slot(std::size_t index) {
        Stream& s = streams[index];
        if (!s.idle.empty()) {
            Slot* slot = s.idle.back();
            s.idle.pop_back();
            return slot;
        }
        auto slot = std::make_unique<Slot>();
        slot->stream = index;
        slot->easy = curl_easy_init();
        if (!slot->easy) return nullptr;
        CURL* e = slot->easy;
        const HttpRequest& r = s.spec.request;
        curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
        // Signals cannot carry timeouts in a multi-threaded program.
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.timeout.count()));
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, s.headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slot->error);
        curl_easy_setopt(e, CURLOPT_PRIVATE, slot.get());
        if (!r.body.empty() || r.method == "POST") {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
        }
        if (r.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        if (r.method != "GET" && r.method != "POST")
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
        s.slots.push_back(std::move(slot));
        return s.slots.back().get();
    }

    // Sends (or drops) every request due by now, each stamped with how late it left.
    void send_due() {
        for (std::size_t i = 0; i < streams.size(); ++i) {
            Stream& s = streams[i];
            for (double now = now_s(); s.schedule.due(now); now = now_s()) {
                const double lag_ms = (now - s.schedule.due_s(s.schedule.next())) * 1000.0;
                s.schedule.advance();
                if (s.in_flight >= s.max_in_flight) {
                    s.tally.dropped();
                    continue;
                }
                Slot* slot = take_slot(i);
                if (!slot) {  // out of memory: this request fails, the load goes on
                    s.tally.sent(lag_ms);
                    s.tally.failed(HttpLoadError::other, "libcurl could not create a handle");
                    continue;
                }
                slot->error[0] = '\0';
                curl_multi_add_handle(multi, slot->easy);
                ++s.in_flight;
                s.tally.sent(lag_ms);
            }
            if (s.schedule.exhausted() && !s.ended_s)
                s.ended_s = s.schedule.end_s().value_or(now_s());
        }
    }

    void finish_request(CURLMsg* msg) {
        Slot* slot = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        Stream& s = streams[slot->stream];
        const CURLcode rc = msg->data.result;
        if (rc == CURLE_OK) {
            long status = 0;
            curl_off_t total_us = 0;
            curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(slot->easy, CURLINFO_TOTAL_TIME_T, &total_us);
            s.tally.answered(status, static_cast<double>(total_us) / 1000.0);
        } else {
            long os_errno = 0;
            curl_easy_getinfo(slot->easy, CURLINFO_OS_ERRNO, &os_errno);
            std::string message = slot->error[0] ? slot->error : curl_easy_strerror(rc);
            if (rc == CURLE_OPERATION_TIMEDOUT)
                s.tally.failed(HttpLoadError::timeout, message);
            else if (rc == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED)
                s.tally.failed(HttpLoadError::connect_refused, message);
            else
                s.tally.failed(HttpLoadError::other, message);
        }
        curl_multi_remove_handle(multi, slot->easy);
        --s.in_flight;
        s.idle.push_back(slot);
    }

    bool all_over() const {
        return std::all_of(streams.begin(), streams.end(), [](const Stream& s) {
            return s.schedule.exhausted() && s.in_flight == 0;
        });
    }

    // How long the loop may sleep: until the next request is due or libcurl needs to act
    // (a timeout), and never so long that a stop waits.
    int wait_ms() const {
        double wait = 0.1;
        const double now = now_s();
        for (const Stream& s : streams)
            if (auto w = s.schedule.wait_s(now)) wait = std::min(wait, *w);
        long curl_ms = -1;
        curl_multi_timeout(multi, &curl_ms);
        if (curl_ms >= 0) wait = std::min(wait, static_cast<double>(curl_ms) / 1000.0);
        // Rounded up: waking before the due time would only spin.
        return static_cast<int>(std::ceil(wait * 1000.0));
    }

    void loop(std::stop_token stop) {
        while (!stop.stop_requested()) {
            send_due();
            int running = 0;
            curl_multi_perform(multi, &running);
            int left = 0;
            while (CURLMsg* msg = curl_multi_info_read(multi, &left))
                if (msg->msg == CURLMSG_DONE) finish_request(msg);
            if (all_over()) {
                mark_done();
                return;
            }
            curl_multi_poll(multi, nullptr, 0, wait_ms(), nullptr);
        }
    }

    void mark_done() {
        {
            std::lock_guard lock(done_mutex);
            done.store(true);
        }
        done_cv.notify_all();
    }

    // After the thread ended: whatever is still in flight is aborted.
    void cancel_in_flight() {
        for (Stream& s : streams) {
            for (auto& slot : s.slots) {
                if (std::find(s.idle.begin(), s.idle.end(), slot.get()) != s.idle.end()) continue;
                curl_multi_remove_handle(multi, slot->easy);
                s.tally.cancelled();
                s.idle.push_back(slot.get());
            }
            s.in_flight = 0;
        }
    }

    ~State() {
        for (Stream& s : streams) {
            for (auto& slot : s.slots) {
                if (multi) curl_multi_remove_handle(multi, slot->easy);
                curl_easy_cleanup(slot->easy);
            }
            curl_slist_free_all(s.headers);
        }
        if (multi) curl_multi_cleanup(multi);
    }
};

HttpLoadDriver::HttpLoadDriver(std::vector<HttpLoadSpec> specs)
    : state_(std::make_unique<State>()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    state_->multi = curl_multi_init();
    if (!state_->multi) throw Fatal("libcurl could not create a multi handle (out of memory?)");
    state_->streams.reserve(specs.size());
    for (HttpLoadSpec& spec : specs) {
        Stream& s = state_->streams.emplace_back(std::move(spec));
        for (const std::string& h : s.spec.request.headers)
            s.headers = curl_slist_append(s.headers, h.c_str());
    }
}

HttpLoadDriver::~HttpLoadDriver() {
    stop();
}

void HttpLoadDriver::start() {
    State& st = *state_;
    if (st.started) return;
    st.started = true;
    st.t0 = SteadyClock::now();
    if (st.streams.empty()) {
        st.mark_done();
        return;
    }
    st.thread = std::jthread([&st](std::stop_token stop) {
        // A stop wakes the loop from curl_multi_poll at once.
        std::stop_callback wake(stop, [&st] { curl_multi_wakeup(st.multi); });
        st.loop(stop);
    });
}

bool HttpLoadDriver::finished() const {
    return state_->done.load();
}

bool HttpLoadDriver::wait_finished(std::chrono::milliseconds limit) const {
    std::unique_lock lock(state_->done_mutex);
    return state_->done_cv.wait_for(lock, limit, [this] { return state_->done.load(); });
}

nlohmann::json HttpLoadDriver::stop() {
    State& st = *state_;
    if (st.results) return *st.results;
    const double stopped_s = st.started ? st.now_s() : 0.0;
    if (st.thread.joinable()) {
        st.thread.request_stop();
        st.thread.join();
    }
    st.cancel_in_flight();
    nlohmann::json out = nlohmann::json::object();
    for (const Stream& s : st.streams) {
        // A schedule that ran out spans its whole window (n requests in n / rate seconds), even
        // when the last answer came, or the stop, before the window's end; one cut short by the
        // stop spans up to the stop.
        const double duration = s.ended_s.value_or(stopped_s);
        out[s.spec.name] = s.tally.to_json(s.spec, duration);
    }
    st.results = out;
    return out;
}

}  // namespace pbxbench::monitor
