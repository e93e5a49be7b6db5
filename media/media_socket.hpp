#pragma once
// A non-blocking UDP socket for RTP/RTCP without Asio: the media engine polls many of them
// through one epoll set. Receives in batches with kernel arrival timestamps (SO_TIMESTAMPNS)
// and drop counts (SO_RXQ_OVFL); sends directly or queued for one sendmmsg per batch.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/error.hpp"
#include "sip/address.hpp"

namespace pbxbench::media {

struct Datagram {
    std::span<const std::uint8_t> bytes;
    sip::Address from;
    std::int64_t arrival_unix_us = 0;  // the kernel's receive time (wall clock)
};

class UdpSocket {
  public:
    UdpSocket();
    UdpSocket(UdpSocket&& o) noexcept;
    UdpSocket& operator=(UdpSocket&& o) noexcept;
    ~UdpSocket();

    // Binds `host`'s address at `port`; errors name the address and the reason. Without
    // `kernel_timestamps` arrivals are stamped when read (cheaper; right when reading at once).
    static Result<UdpSocket> open(const sip::Address& host, std::uint16_t port,
                                  std::size_t receive_buffer_bytes, bool kernel_timestamps = true);

    // Fixes the peer: sends to it skip the route lookup, and the kernel drops datagrams from
    // anyone else. Only for a per-call socket whose peer has shown where it sends from.
    bool connect(const sip::Address& peer);
    bool connected() const { return connected_; }
    // Undoes connect(): datagrams from anyone arrive again (the peer moved, e.g. a re-INVITE).
    void disconnect();

    int fd() const { return fd_; }
    std::uint16_t port() const { return port_; }

    // Calls `on_datagram(const Datagram&)` for every datagram queued, until the socket is empty.
    template <class F>
    void drain(F&& on_datagram) {
        for (;;) {
            const std::size_t n = receive_batch();
            for (std::size_t i = 0; i < n; ++i) on_datagram(datagram(i));
            if (n < batch_size) return;
        }
    }

    // Sends now, or (`queue`) adds to the batch flushed by flush() or when it is full.
    bool send(std::span<const std::uint8_t> bytes, const sip::Address& to, bool queue = false);
    // Sends the queued batch; returns how many datagrams failed.
    unsigned flush();
    // Datagrams the kernel dropped on a full receive buffer (its running total).
    std::uint64_t drops() const { return drops_; }

    static constexpr std::size_t batch_size = 64;

  private:
    std::size_t receive_batch();
    Datagram datagram(std::size_t i) const;
    void close();

    int fd_ = -1;
    std::uint16_t port_ = 0;
    bool connected_ = false;
    sip::Address peer_;
    std::uint64_t drops_ = 0;
    struct SendQueue;
    std::unique_ptr<SendQueue> queue_;
};

}  // namespace pbxbench::media
