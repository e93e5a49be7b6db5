// The UAS's MESSAGE handling: the answer (200, or --message-status), the inbox's counts
// (delivered, duplicates that went through as new transactions, MESSAGEs without a stamp),
// the delivery latency from the sender's stamp, and the JSON the summary line carries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sip/pbxbench_headers.hpp"
#include "tests/unit/support/test_agents.hpp"
#include "uas/uas_agent.hpp"
#include "uas/uas_message.hpp"

namespace pbxbench::test {
namespace {

// A MESSAGE with id `id` stamped `sent` (no stamp header when nullopt), on branch `branch`.
std::string message(std::string_view branch, std::string_view id, std::optional<TimePoint> sent,
                    std::string_view to_tag = {}) {
    sip::MessageBuilder b;
    b.request_line("MESSAGE", "sip:bob@10.0.0.2:5060");
    b.header("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=", branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", "<sip:alice@10.0.0.1>;tag=a1");
    if (to_tag.empty())
        b.header("To", "<sip:bob@10.0.0.2>");
    else
        b.header("To", "<sip:bob@10.0.0.2>;tag=", to_tag);
    b.header("Call-ID", "m-", branch);
    b.header("CSeq", 1, " MESSAGE");
    if (!id.empty()) b.header(sip::id_header, id);
    if (sent) b.header(sip::sent_header, sip::stamp_ns(*sent));
    return b.finish("hello", "text/plain");
}

sip::Message parsed(const std::string& raw) {
    return std::move(*sip::Message::parse(raw));
}

TEST(MessageInbox, CountsDeliveriesDuplicatesAndLatency) {
    uas::MessageInbox inbox;
    const TimePoint t = TimePoint{} + std::chrono::hours(5);
    EXPECT_TRUE(inbox.receive(parsed(message("b1", "x-1", t)), t + std::chrono::milliseconds(7)));
    EXPECT_TRUE(inbox.receive(parsed(message("b2", "x-2", t)), t + std::chrono::milliseconds(3)));
    // The same id in a new transaction: it went through twice.
    EXPECT_FALSE(inbox.receive(parsed(message("b3", "x-1", t)), t + std::chrono::seconds(40)));
    EXPECT_TRUE(inbox.receive(parsed(message("b4", "", t)), t + std::chrono::milliseconds(1)));
    EXPECT_TRUE(inbox.receive(parsed(message("b5", "x-3", std::nullopt)), t));
    const auto& c = inbox.counts();
    EXPECT_EQ(c.received, 5u);
    EXPECT_EQ(c.delivered, 4u);
    EXPECT_EQ(c.duplicates, 1u);
    EXPECT_EQ(c.without_stamp, 1u);
    EXPECT_THAT(c.latency_ms, ::testing::ElementsAre(7.0, 3.0, 1.0))
        << "first deliveries with a stamp only";
}

TEST(MessageInbox, AStampFromTheFutureReadsAsZeroNotNegative) {
    uas::MessageInbox inbox;
    const TimePoint t = TimePoint{} + std::chrono::hours(5);
    inbox.receive(parsed(message("b1", "x-1", t + std::chrono::seconds(1))), t);
    EXPECT_THAT(inbox.counts().latency_ms, ::testing::ElementsAre(0.0));
}

TEST(MessageInbox, JsonAddsEndpointsUpAndKeepsEachOnesCount) {
    uas::MessageCounts a, b, c;
    a.received = 3;
    a.delivered = 3;
    a.latency_ms = {1, 2, 3};
    b.received = 5;
    b.delivered = 4;
    b.duplicates = 1;
    b.latency_ms = {4, 5, 6, 7};
    nlohmann::json j = uas::messages_json({&a, &b, &c});
    EXPECT_EQ(j["received"], 8);
    EXPECT_EQ(j["delivered"], 7);
    EXPECT_EQ(j["duplicates"], 1);
    EXPECT_EQ(j["delivered_per_endpoint"], nlohmann::json({3, 4, 0}));
    EXPECT_EQ(j["delivered_min"], 0);
    EXPECT_EQ(j["delivered_max"], 4);
    EXPECT_EQ(j["latency_ms"]["count"], 7);
    EXPECT_EQ(j["latency_ms"]["p50"], 4.0);
    EXPECT_EQ(j["latency_ms"]["max"], 7.0);
    EXPECT_EQ(j["latency_ms"]["p99"], 7.0);
}

// A UasAgent at 10.0.0.2 and a recording caller at 10.0.0.1.
struct AgentRig {
    explicit AgentRig(uas::AgentConfig config = {})
        : agent(config, [this] { return pair.net.now; }) {}
    CallPair pair;
    uas::UasAgent agent;
    std::unique_ptr<sip::TransactionLayer> layer;

    void attach() {
        layer = std::make_unique<sip::TransactionLayer>(pair.callee_sink, agent);
        agent.attach(*layer, "10.0.0.2:5060");
    }
    // Sends `raw` from the caller as a new client transaction on `branch`.
    void send(const std::string& raw, std::string_view branch) {
        pair.caller_layer.send_request(raw, pair.callee_sink.self(), sip::Method::message, branch,
                                       0, pair.net.now);
    }
    void run_for(sip::Duration d) {
        const TimePoint until = pair.net.now + d;
        while (pair.net.now < until) {
            for (auto& dg : pair.net.take_due()) {
                if (dg.to == pair.caller_sink.self())
                    pair.caller_layer.receive(dg.bytes, dg.from, pair.net.now);
                else
                    layer->receive(dg.bytes, dg.from, pair.net.now);
            }
            pair.caller_layer.advance(pair.net.now);
            layer->advance(pair.net.now);
            pair.net.now += std::chrono::milliseconds(1);
        }
    }
    std::vector<sip::Message> responses() const {
        std::vector<sip::Message> out;
        for (const auto& d : pair.net.log)
            if (d.from == pair.callee_sink.self()) out.push_back(parsed(d.bytes));
        return out;
    }
};

TEST(UasMessage, AMessageIsAnswered200WithAToTagAndCounted) {
    AgentRig rig;
    rig.attach();
    rig.send(message("z9hG4bK1", "t-0", rig.pair.net.now), "z9hG4bK1");
    rig.run_for(std::chrono::milliseconds(10));
    auto rs = rig.responses();
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].status(), 200);
    EXPECT_FALSE(rs[0].to().tag().empty());
    EXPECT_EQ(rig.pair.caller.count(200, "MESSAGE"), 1);
    EXPECT_EQ(rig.agent.messages().delivered, 1u);
    EXPECT_THAT(rig.agent.messages().latency_ms, ::testing::ElementsAre(1.0));
}

TEST(UasMessage, TheAnswerStatusIsConfigurable) {
    uas::AgentConfig config;
    config.message_status = 202;
    AgentRig rig(config);
    rig.attach();
    rig.send(message("z9hG4bK1", "t-0", rig.pair.net.now), "z9hG4bK1");
    rig.run_for(std::chrono::milliseconds(10));
    EXPECT_EQ(rig.pair.caller.count(202, "MESSAGE"), 1);
}

TEST(UasMessage, ARetransmissionIsAbsorbedButTheSameIdInANewTransactionIsADuplicate) {
    AgentRig rig;
    rig.attach();
    // The first 200 is lost: the MESSAGE is retransmitted and absorbed by the transaction.
    bool dropped = false;
    rig.pair.net.policy = [&](std::size_t, const Datagram& d) {
        if (dropped || !(d.from == rig.pair.callee_sink.self())) return Fault::none;
        dropped = true;
        return Fault::drop;
    };
    rig.send(message("z9hG4bK1", "t-0", rig.pair.net.now), "z9hG4bK1");
    rig.run_for(std::chrono::seconds(2));
    EXPECT_EQ(rig.agent.messages().received, 1u);
    EXPECT_EQ(rig.agent.messages().duplicates, 0u);
    EXPECT_EQ(rig.pair.caller.count(200, "MESSAGE"), 1);
    // A copy that arrives as a new transaction (e.g. a proxy that forked it) is a duplicate.
    rig.send(message("z9hG4bK2", "t-0", rig.pair.net.now), "z9hG4bK2");
    rig.run_for(std::chrono::milliseconds(10));
    EXPECT_EQ(rig.agent.messages().received, 2u);
    EXPECT_EQ(rig.agent.messages().delivered, 1u);
    EXPECT_EQ(rig.agent.messages().duplicates, 1u);
    EXPECT_EQ(rig.pair.caller.count(200, "MESSAGE"), 2) << "a duplicate is still answered";
}

TEST(UasMessage, AMessageInsideNoDialogWithAToTagIsNotCountedAsDelivered) {
    AgentRig rig;
    rig.attach();
    rig.send(message("z9hG4bK1", "t-0", rig.pair.net.now, "nope"), "z9hG4bK1");
    rig.run_for(std::chrono::milliseconds(10));
    EXPECT_EQ(rig.pair.caller.count(481, "MESSAGE"), 1);
    EXPECT_EQ(rig.agent.messages().received, 0u);
}

}  // namespace
}  // namespace pbxbench::test
