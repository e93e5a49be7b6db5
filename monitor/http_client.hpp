#pragma once
// The seam to HTTP: the health probe talks to the PBX only through HttpClient.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pbxbench::monitor {

struct HttpRequest {
    std::string url;
    std::string method = "GET";
    std::string body;                         // sent when non-empty (typically with POST)
    std::vector<std::string> headers;         // "Name: value"
    std::chrono::milliseconds timeout{1000};  // the whole exchange, connect included

    bool operator==(const HttpRequest&) const = default;
};

// How an exchange ended below the HTTP level.
enum class Transport { ok, timeout, error };

struct HttpReply {
    Transport transport = Transport::ok;
    long status = 0;  // HTTP status code when transport is ok
    std::string body;
    double latency_ms = 0;  // from the start of the request to the end of the reply (or failure)
    std::string error;      // transport failure description
};

// Performs one HTTP exchange; never throws for network problems, which are part of the reply.
class HttpClient {
  public:
    virtual ~HttpClient() = default;
    virtual HttpReply fetch(const HttpRequest& request) = 0;
};

// An HttpClient over libcurl that keeps its connection alive between polls.
std::unique_ptr<HttpClient> make_curl_http_client();

}  // namespace pbxbench::monitor
