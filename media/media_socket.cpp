#include "media/media_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace pbxbench::media {

namespace {

constexpr std::size_t slot_bytes = 2048;  // RTP on loopback; larger datagrams are truncated
constexpr std::size_t control_bytes =
    CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(std::uint32_t));

// One receive arena for every socket: the engine reads them one at a time on one thread.
struct ReceiveArena {
    std::array<std::array<std::uint8_t, slot_bytes>, UdpSocket::batch_size> buffers;
    std::array<mmsghdr, UdpSocket::batch_size> headers;
    std::array<iovec, UdpSocket::batch_size> iovecs;
    std::array<sockaddr_storage, UdpSocket::batch_size> sources;
    std::array<std::array<char, control_bytes>, UdpSocket::batch_size> controls;
    std::array<std::int64_t, UdpSocket::batch_size> arrival_unix_us;
};

ReceiveArena& arena() {
    thread_local auto a = std::make_unique<ReceiveArena>();
    return *a;
}

}  // namespace

struct UdpSocket::SendQueue {
    std::array<std::array<std::uint8_t, slot_bytes>, batch_size> buffers;
    std::array<mmsghdr, batch_size> headers;
    std::array<iovec, batch_size> iovecs;
    std::array<sockaddr_storage, batch_size> targets;
    std::size_t count = 0;
};

UdpSocket::UdpSocket() = default;

UdpSocket::UdpSocket(UdpSocket&& o) noexcept
    : fd_(o.fd_),
      port_(o.port_),
      connected_(o.connected_),
      peer_(o.peer_),
      drops_(o.drops_),
      queue_(std::move(o.queue_)) {
    o.fd_ = -1;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        port_ = o.port_;
        connected_ = o.connected_;
        peer_ = o.peer_;
        drops_ = o.drops_;
        queue_ = std::move(o.queue_);
        o.fd_ = -1;
    }
    return *this;
}

UdpSocket::~UdpSocket() {
    close();
}

void UdpSocket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Result<UdpSocket> UdpSocket::open(const sip::Address& host, std::uint16_t port,
                                  std::size_t receive_buffer_bytes, bool kernel_timestamps) {
    sip::Address local = host;
    local.port = port;
    UdpSocket s;
    s.fd_ = ::socket(local.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd_ < 0) return fail(std::string("cannot open a UDP socket: ") + std::strerror(errno));
    int v = static_cast<int>(receive_buffer_bytes);
    if (::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
        ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    int one = 1;
    ::setsockopt(s.fd_, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (!local.v6) {
        // DF set: the kernel then gives our datagrams IP ID 0 instead of drawing each one from
        // its shared, hashed ID table (__ip_select_ident), whose one hot cache line every RTP
        // packet between two local endpoints bounced between the CPUs: 7% of the UAC's time
        // at 100,000 packets/s. RTP datagrams are far below any path MTU.
        int pmtu = IP_PMTUDISC_DO;
        ::setsockopt(s.fd_, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    }
    if (kernel_timestamps) ::setsockopt(s.fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    sockaddr_storage ss;
    const unsigned len = local.to_sockaddr(ss);
    if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return fail("cannot bind UDP " + local.to_string() + ": " + std::strerror(errno));
    s.port_ = port;
    return s;
}

std::size_t UdpSocket::receive_batch() {
    ReceiveArena& a = arena();
    for (std::size_t i = 0; i < batch_size; ++i) {
        a.iovecs[i] = {a.buffers[i].data(), slot_bytes};
        msghdr& h = a.headers[i].msg_hdr;
        h = {};
        h.msg_name = &a.sources[i];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_iov = &a.iovecs[i];
        h.msg_iovlen = 1;
        h.msg_control = a.controls[i].data();
        h.msg_controllen = control_bytes;
        a.headers[i].msg_len = 0;
    }
    const int n = ::recvmmsg(fd_, a.headers.data(), batch_size, MSG_DONTWAIT, nullptr);
    if (n <= 0) return 0;
    std::int64_t read_unix_us = 0;
    for (int i = 0; i < n; ++i) {
        msghdr& h = a.headers[i].msg_hdr;
        a.arrival_unix_us[i] = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level != SOL_SOCKET) continue;
            if (c->cmsg_type == SO_TIMESTAMPNS) {
                timespec ts;
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                a.arrival_unix_us[i] = std::int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
            } else if (c->cmsg_type == SO_RXQ_OVFL) {
                std::uint32_t total;
                std::memcpy(&total, CMSG_DATA(c), sizeof total);
                drops_ = total;
            }
        }
        if (a.arrival_unix_us[i] == 0) {  // no kernel timestamp: the time of this read
            if (read_unix_us == 0) {
                timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                read_unix_us = std::int64_t{now.tv_sec} * 1000000 + now.tv_nsec / 1000;
            }
            a.arrival_unix_us[i] = read_unix_us;
        }
    }
    return static_cast<std::size_t>(n);
}

Datagram UdpSocket::datagram(std::size_t i) const {
    ReceiveArena& a = arena();
    return {std::span<const std::uint8_t>(a.buffers[i].data(), a.headers[i].msg_len),
            sip::Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&a.sources[i])),
            a.arrival_unix_us[i]};
}

bool UdpSocket::connect(const sip::Address& peer) {
    sockaddr_storage ss;
    const unsigned len = peer.to_sockaddr(ss);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) return false;
    connected_ = true;
    peer_ = peer;
    return true;
}

void UdpSocket::disconnect() {
    if (!connected_) return;
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;  // connect(2): AF_UNSPEC dissolves the association
    ::connect(fd_, &unspec, sizeof unspec);
    connected_ = false;
}

bool UdpSocket::send(std::span<const std::uint8_t> bytes, const sip::Address& to, bool queue) {
    if (connected_ && to == peer_ && !queue)
        return ::send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT) >= 0;
    if (!queue || bytes.size() > slot_bytes) {
        sockaddr_storage ss;
        const unsigned len = to.to_sockaddr(ss);
        return ::sendto(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT,
                        reinterpret_cast<sockaddr*>(&ss), len) >= 0;
    }
    if (!queue_) queue_ = std::make_unique<SendQueue>();
    SendQueue& q = *queue_;
    const std::size_t i = q.count++;
    std::memcpy(q.buffers[i].data(), bytes.data(), bytes.size());
    q.iovecs[i] = {q.buffers[i].data(), bytes.size()};
    msghdr& h = q.headers[i].msg_hdr;
    h = {};
    h.msg_name = &q.targets[i];
    h.msg_namelen = to.to_sockaddr(q.targets[i]);
    h.msg_iov = &q.iovecs[i];
    h.msg_iovlen = 1;
    if (q.count == batch_size) return flush() == 0;
    return true;
}

unsigned UdpSocket::flush() {
    if (!queue_ || queue_->count == 0) return 0;
    SendQueue& q = *queue_;
    unsigned failed = 0;
    std::size_t done = 0;
    while (done < q.count) {
        const int n = ::sendmmsg(fd_, q.headers.data() + done,
                                 static_cast<unsigned>(q.count - done), MSG_DONTWAIT);
        if (n <= 0) {  // the first datagram of the rest failed: count it and go on
            ++failed;
            ++done;
            continue;
        }
        done += static_cast<std::size_t>(n);
    }
    q.count = 0;
    return failed;
}

}  // namespace pbxbench::media
