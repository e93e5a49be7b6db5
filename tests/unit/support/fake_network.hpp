#pragma once
// A deterministic network and clock for transaction tests: every datagram goes through a
// fault policy that may drop, duplicate or delay it, and a sink can refuse its Nth send.
#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sip/transaction_layer.hpp"

namespace pbxbench::test {

using namespace std::chrono_literals;
using sip::Address;
using sip::TimePoint;

struct Datagram {
    std::string bytes;
    Address from;
    Address to;
    TimePoint sent_at;
    TimePoint deliver_at;
};

enum class Fault { none, drop, duplicate, delay };

class FakeNetwork {
  public:
    TimePoint now = TimePoint{} + 1h;  // away from the epoch so subtraction is safe
    std::chrono::milliseconds latency{1};
    std::chrono::milliseconds reorder_delay{50};
    // Decides the fate of the n-th datagram (0-based) sent on the network.
    std::function<Fault(std::size_t n, const Datagram&)> policy = [](std::size_t, const Datagram&) {
        return Fault::none;
    };
    std::vector<Datagram> log;  // everything sent, in order, before faults

    void post(std::string_view bytes, const Address& from, const Address& to) {
        Datagram d{std::string(bytes), from, to, now, now + latency};
        Fault f = policy(log.size(), d);
        log.push_back(d);
        switch (f) {
            case Fault::drop:
                return;
            case Fault::duplicate:
                in_flight_.push_back(d);
                break;
            case Fault::delay:
                d.deliver_at += reorder_delay;
                break;
            case Fault::none:
                break;
        }
        in_flight_.push_back(std::move(d));
    }

    // Datagrams due by `now`, removed from the network, in delivery order.
    std::vector<Datagram> take_due() {
        std::vector<Datagram> due;
        std::deque<Datagram> rest;
        for (auto& d : in_flight_) {
            if (d.deliver_at <= now) {
                due.push_back(std::move(d));
            } else {
                rest.push_back(std::move(d));
            }
        }
        in_flight_.swap(rest);
        std::stable_sort(due.begin(), due.end(), [](const Datagram& a, const Datagram& b) {
            return a.deliver_at < b.deliver_at;
        });
        return due;
    }

    // When the next datagram in flight is due, if any: lets a rig jump the clock.
    std::optional<TimePoint> next_delivery() const {
        std::optional<TimePoint> next;
        for (const auto& d : in_flight_)
            if (!next || d.deliver_at < *next) next = d.deliver_at;
        return next;
    }

    std::vector<Datagram> sent_from(const Address& a) const {
        std::vector<Datagram> out;
        for (const auto& d : log) {
            if (d.from == a) out.push_back(d);
        }
        return out;
    }

  private:
    std::deque<Datagram> in_flight_;
};

// A sink bound to one address on the fake network; `fail_send` (1-based) refuses that send.
class FakeSink final : public sip::DatagramSink {
  public:
    FakeSink(FakeNetwork& net, Address self) : net_(net), self_(self) {}
    bool send(std::string_view bytes, const Address& to) override {
        ++sends;
        if (sends == fail_send || fail_all) return false;
        net_.post(bytes, self_, to);
        return true;
    }
    const Address& self() const { return self_; }
    std::size_t sends = 0;
    std::size_t fail_send = 0;
    bool fail_all = false;

  private:
    FakeNetwork& net_;
    Address self_;
};

}  // namespace pbxbench::test
