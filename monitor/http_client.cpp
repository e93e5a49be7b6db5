#include "monitor/http_client.hpp"

#include <curl/curl.h>

#include <chrono>
#include <mutex>

#include "base/error.hpp"

namespace pbxbench::monitor {

namespace {

// A health reply is small; a runaway body must not eat the generator's memory.
constexpr std::size_t max_body_bytes = 1 << 20;

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    std::size_t n = size * count;
    if (body->size() + n > max_body_bytes) return 0;  // makes curl fail with CURLE_WRITE_ERROR
    body->append(data, n);
    return n;
}

class CurlHttpClient final : public HttpClient {
  public:
    CurlHttpClient() {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        curl_ = curl_easy_init();
        if (!curl_) throw Fatal("libcurl could not create a handle (out of memory?)");
    }
    ~CurlHttpClient() override {
        curl_easy_cleanup(curl_);
        curl_slist_free_all(headers_);
    }
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    HttpReply fetch(const HttpRequest& req) override {
        HttpReply reply;
        // A probe sends the same request every time: set the handle up once, not per poll.
        if (!configured_ || !(req == last_)) configure(req);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
        auto started = std::chrono::steady_clock::now();
        CURLcode rc = curl_easy_perform(curl_);
        reply.latency_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        if (rc == CURLE_OK) {
            curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
        } else {
            reply.transport =
                rc == CURLE_OPERATION_TIMEDOUT ? Transport::timeout : Transport::error;
            reply.error = curl_easy_strerror(rc);
        }
        return reply;
    }

  private:
    void configure(const HttpRequest& req) {
        last_ = req;  // curl keeps pointers into the strings and header list: they must live on
        configured_ = true;
        curl_slist_free_all(headers_);
        headers_ = nullptr;
        for (const std::string& h : last_.headers)
            headers_ = curl_slist_append(headers_, h.c_str());
        // Reset drops the old options but keeps the connection cache.
        curl_easy_reset(curl_);
        curl_easy_setopt(curl_, CURLOPT_URL, last_.url.c_str());
        // Signals cannot carry timeouts in a multi-threaded program.
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(last_.timeout.count()));
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(last_.timeout.count()));
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append_body);
        if (!last_.body.empty() || last_.method == "POST") {
            // POSTFIELDS makes curl send a POST; CUSTOMREQUEST below renames it (PUT, ...).
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, last_.body.c_str());
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(last_.body.size()));
        }
        if (last_.method != "GET" && last_.method != "POST")
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, last_.method.c_str());
    }

    CURL* curl_ = nullptr;
    curl_slist* headers_ = nullptr;
    HttpRequest last_;
    bool configured_ = false;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client() {
    return std::make_unique<CurlHttpClient>();
}

}  // namespace pbxbench::monitor
