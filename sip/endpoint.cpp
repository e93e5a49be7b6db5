#include "sip/endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pbxbench::sip {

struct Endpoint::Ticker {
    Ticker(boost::asio::io_context& io, TransactionLayer& l, std::chrono::milliseconds p)
        : timer(io), layer(l), period(p) {}

    void arm() {
        timer.expires_after(period);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopped) return;
            layer.advance(Clock::now());
            arm();
        });
    }

    boost::asio::steady_timer timer;
    TransactionLayer& layer;
    std::chrono::milliseconds period;
    bool stopped = false;
};

Result<std::unique_ptr<Endpoint>> Endpoint::open(boost::asio::io_context& io, TransactionUser& user,
                                                 const EndpointOptions& options) {
    auto transport = UdpTransport::open(io, options.bind, options.udp);
    if (!transport) return tl::unexpected(transport.error());
    std::unique_ptr<Endpoint> e(new Endpoint());
    e->transport_ = std::move(*transport);
    e->layer_ = std::make_unique<TransactionLayer>(*e->transport_, user, options.timers);
    e->sent_by_ = e->transport_->local_address().to_string();
    TransactionLayer* layer = e->layer_.get();
    if (options.inbound_filter) {
        e->transport_->start([layer, filter = options.inbound_filter](std::string_view datagram,
                                                                      const Address& from) {
            if (filter(datagram, from)) layer->receive(datagram, from, Clock::now());
        });
    } else {
        e->transport_->start([layer](std::string_view datagram, const Address& from) {
            layer->receive(datagram, from, Clock::now());
        });
    }
    e->ticker_ = std::make_unique<Ticker>(io, *e->layer_, options.tick);
    e->ticker_->arm();
    return e;
}

Endpoint::~Endpoint() {
    close();
}

void Endpoint::close() {
    if (ticker_) {
        ticker_->stopped = true;
        ticker_->timer.cancel();
    }
    if (transport_) transport_->close();
}

}  // namespace pbxbench::sip
