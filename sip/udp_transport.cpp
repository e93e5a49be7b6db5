#include "sip/udp_transport.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

namespace pbxbench::sip {

namespace asio = boost::asio;

struct UdpTransport::Impl {
    Impl(asio::io_context& io) : socket(io) {}

    asio::ip::udp::socket socket;
    Address local;
    UdpOptions options;
    Handler handler;
    std::vector<char> buffers;
    std::vector<mmsghdr> headers;
    std::vector<iovec> iovecs;
    std::vector<sockaddr_storage> sources;
    std::vector<char> controls;
    std::uint64_t drops = 0;
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    std::uint64_t send_errors = 0;
    std::size_t granted_rcvbuf = 0;
    bool closed = false;

    static constexpr std::size_t slot_bytes = 65536;
    static constexpr std::size_t control_bytes = CMSG_SPACE(sizeof(std::uint32_t));

    void arm() {
        // A zero-byte MSG_PEEK receive rather than async_wait: Asio tries it speculatively and
        // keeps the descriptor's epoll registration, where async_wait costs an epoll_ctl each time.
        socket.async_receive(asio::buffer(peek_byte, 0), asio::socket_base::message_peek,
                             [this](const boost::system::error_code& ec, std::size_t) {
                                 if (ec || closed) return;
                                 drain();
                                 if (!closed) arm();
                             });
    }
    char peek_byte[1] = {};

    void drain() {
        const int fd = socket.native_handle();
        const unsigned batch = options.batch;
        // Until the socket is empty: a bound here (512 datagrams at first) left the rest to a
        // later wake-up, the queue overflowed at 20,000 calls/s, and retransmissions snowballed.
        // The kernel's receive buffer already bounds how much one drain can take.
        for (;;) {
            for (unsigned i = 0; i < batch; ++i) {
                headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
                headers[i].msg_hdr.msg_controllen = control_bytes;
                headers[i].msg_len = 0;
            }
            int n = ::recvmmsg(fd, headers.data(), batch, MSG_DONTWAIT, nullptr);
            if (n <= 0) return;
            for (int i = 0; i < n; ++i) {
                read_drop_counter(headers[i].msg_hdr);
                ++received;
                Address from =
                    Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&sources[i]));
                handler(std::string_view(buffers.data() + i * slot_bytes, headers[i].msg_len),
                        from);
                if (closed) return;
            }
            if (static_cast<unsigned>(n) < batch) return;
        }
    }

    void read_drop_counter(msghdr& h) {
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                std::uint32_t v;
                std::memcpy(&v, CMSG_DATA(c), sizeof v);
                drops = v;  // the kernel reports a running total
            }
        }
    }
};

UdpTransport::UdpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

UdpTransport::~UdpTransport() {
    close();
}

Result<std::unique_ptr<UdpTransport>> UdpTransport::open(asio::io_context& io, const Address& local,
                                                         const UdpOptions& options) {
    auto impl = std::make_unique<Impl>(io);
    boost::system::error_code ec;
    impl->socket.open(local.v6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (ec) return fail("cannot open a UDP socket: " + ec.message());
    const int fd = impl->socket.native_handle();
    auto set_buffer = [fd](int force_opt, int opt, std::size_t bytes) {
        int v = static_cast<int>(bytes);
        // FORCE variants pass net.core.[rw]mem_max when we have CAP_NET_ADMIN.
        if (::setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) != 0) {
            ::setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v);
        }
    };
    set_buffer(SO_RCVBUFFORCE, SO_RCVBUF, options.receive_buffer_bytes);
    set_buffer(SO_SNDBUFFORCE, SO_SNDBUF, options.send_buffer_bytes);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    int granted = 0;
    socklen_t len = sizeof granted;
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
    impl->granted_rcvbuf = static_cast<std::size_t>(granted);

    sockaddr_storage ss;
    unsigned ss_len = local.to_sockaddr(ss);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), ss_len) != 0) {
        return fail("cannot bind UDP " + local.to_string() + ": " + std::strerror(errno));
    }
    socklen_t got = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &got);
    impl->local = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss));
    impl->socket.non_blocking(true, ec);
    impl->options = options;
    if (impl->options.batch == 0) impl->options.batch = 1;

    const unsigned batch = impl->options.batch;
    impl->buffers.resize(batch * Impl::slot_bytes);
    impl->headers.resize(batch);
    impl->iovecs.resize(batch);
    impl->sources.resize(batch);
    impl->controls.resize(batch * Impl::control_bytes);
    for (unsigned i = 0; i < batch; ++i) {
        impl->iovecs[i] = {impl->buffers.data() + i * Impl::slot_bytes, Impl::slot_bytes};
        msghdr& h = impl->headers[i].msg_hdr;
        h = {};
        h.msg_name = &impl->sources[i];
        h.msg_iov = &impl->iovecs[i];
        h.msg_iovlen = 1;
        h.msg_control = impl->controls.data() + i * Impl::control_bytes;
    }
    return std::unique_ptr<UdpTransport>(new UdpTransport(std::move(impl)));
}

void UdpTransport::start(Handler handler) {
    impl_->handler = std::move(handler);
    impl_->arm();
}

void UdpTransport::close() {
    if (impl_->closed) return;
    impl_->closed = true;
    boost::system::error_code ec;
    impl_->socket.close(ec);
}

bool UdpTransport::send(std::string_view bytes, const Address& to) {
    sockaddr_storage ss;
    unsigned len = to.to_sockaddr(ss);
    ssize_t n = ::sendto(impl_->socket.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&ss), len);
    if (n < 0) {
        ++impl_->send_errors;
        return false;
    }
    ++impl_->sent;
    return true;
}

const Address& UdpTransport::local_address() const {
    return impl_->local;
}
std::uint64_t UdpTransport::kernel_drops() const {
    return impl_->drops;
}
std::uint64_t UdpTransport::datagrams_received() const {
    return impl_->received;
}
std::uint64_t UdpTransport::datagrams_sent() const {
    return impl_->sent;
}
std::uint64_t UdpTransport::send_errors() const {
    return impl_->send_errors;
}
std::size_t UdpTransport::receive_buffer_bytes() const {
    return impl_->granted_rcvbuf;
}

}  // namespace pbxbench::sip
