#pragma once
// A UDP socket on an Asio io_context: batched receive (recvmmsg), direct non-blocking send,
// large kernel buffers, and the kernel's count of datagrams dropped on a full receive buffer.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "base/error.hpp"
#include "sip/address.hpp"
#include "sip/transaction_layer.hpp"

namespace boost::asio {
class io_context;
}

namespace pbxbench::sip {

struct UdpOptions {
    // SIPp needed 4 MiB to stay lossless above ~5,000 calls/s on loopback; the kernel caps
    // the request at net.core.rmem_max unless we are root (SO_RCVBUFFORCE).
    std::size_t receive_buffer_bytes = 8u << 20;
    std::size_t send_buffer_bytes = 4u << 20;
    unsigned batch = 32;  // datagrams per recvmmsg call
};

class UdpTransport final : public DatagramSink {
  public:
    using Handler = std::function<void(std::string_view datagram, const Address& from)>;

    // Binds to `local` (port 0 picks a free port). Errors name the address and the reason.
    static Result<std::unique_ptr<UdpTransport>> open(boost::asio::io_context& io,
                                                      const Address& local,
                                                      const UdpOptions& options = {});
    ~UdpTransport() override;

    // Starts the receive loop; `handler` runs on the io_context for each datagram.
    void start(Handler handler);
    void close();

    bool send(std::string_view bytes, const Address& to) override;

    const Address& local_address() const;
    // Datagrams the kernel dropped because our receive buffer was full (SO_RXQ_OVFL).
    std::uint64_t kernel_drops() const;
    std::uint64_t datagrams_received() const;
    std::uint64_t datagrams_sent() const;
    std::uint64_t send_errors() const;
    // The receive buffer the kernel actually granted.
    std::size_t receive_buffer_bytes() const;

  private:
    struct Impl;
    explicit UdpTransport(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace pbxbench::sip
