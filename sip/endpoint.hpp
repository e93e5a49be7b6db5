#pragma once
// A SIP endpoint on an io_context: one UDP transport, one transaction layer, and a timer
// tick that drives every transaction timer (one timer for all, never one per transaction).
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "base/error.hpp"
#include "sip/transaction_layer.hpp"
#include "sip/udp_transport.hpp"

namespace boost::asio {
class io_context;
}

namespace pbxbench::sip {

struct EndpointOptions {
    Address bind;  // port 0 picks a free port
    UdpOptions udp;
    TimerSettings timers;
    // Granularity of transaction timers; SIP's shortest (T1 = 500 ms) dwarfs it.
    std::chrono::milliseconds tick{10};
    // Test aid: consulted for every received datagram before the transaction layer sees it;
    // returning false drops it, as if the network had lost it. Empty: keep everything.
    std::function<bool(std::string_view datagram, const Address& from)> inbound_filter;
};

class Endpoint {
  public:
    static Result<std::unique_ptr<Endpoint>> open(boost::asio::io_context& io,
                                                  TransactionUser& user,
                                                  const EndpointOptions& options);
    ~Endpoint();

    TransactionLayer& layer() { return *layer_; }
    UdpTransport& transport() { return *transport_; }
    const Address& local_address() const { return transport_->local_address(); }
    // "127.0.0.1:5070": the sent-by for our Via headers and the host:port of our Contact.
    const std::string& sent_by() const { return sent_by_; }

    // Stops receiving and ticking; pending transactions are dropped.
    void close();

  private:
    struct Ticker;
    Endpoint() = default;
    std::unique_ptr<UdpTransport> transport_;
    std::unique_ptr<TransactionLayer> layer_;
    std::unique_ptr<Ticker> ticker_;
    std::string sent_by_;
};

}  // namespace pbxbench::sip
