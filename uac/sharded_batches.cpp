#include "uac/sharded_batches.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <random>

#include "uac/batch_report.hpp"

namespace pbxbench::uac {

struct ShardedBatches::Shard {
    boost::asio::io_context io;
    std::unique_ptr<CallBatch> batch;
    std::unique_ptr<ProgressReporter> reporter;
    std::thread thread;
    std::atomic<bool> done{false};
};

namespace {

// Shard k's slice of a port range: equal even-aligned parts, so RTP/RTCP pairs never straddle.
std::pair<std::uint16_t, std::uint16_t> slice(std::uint16_t low, std::uint16_t high,
                                              std::uint64_t k, std::uint64_t n) {
    const std::uint64_t span = ((static_cast<std::uint64_t>(high) - low + 1) / n) & ~1ull;
    const auto first = static_cast<std::uint16_t>(low + k * span);
    return {first, static_cast<std::uint16_t>(first + std::max<std::uint64_t>(span, 2) - 1)};
}

}  // namespace

ShardedBatches::ShardedBatches(BatchOptions options, unsigned shards)
    : options_(std::move(options)) {
    if (options_.call_id_prefix.empty()) {
        // One prefix for every shard: Call-IDs carry the global call index, so they stay unique.
        char prefix[20];
        std::snprintf(prefix, sizeof prefix, "pbx%08x", std::random_device{}());
        options_.call_id_prefix = prefix;
    }
    for (unsigned k = 0; k < std::max(shards, 1u); ++k) shards_.push_back(std::make_unique<Shard>());
}

ShardedBatches::~ShardedBatches() {
    stop();
    join();
}

Result<void> ShardedBatches::open() {
    const std::uint64_t n = shards_.size();
    for (std::uint64_t k = 0; k < n; ++k) {
        BatchOptions o = options_;
        o.shard = k;
        o.shards = n;
        if (o.bind.port != 0) o.bind.port = static_cast<std::uint16_t>(o.bind.port + k);
        if (o.max_concurrent > 0) o.max_concurrent = (o.max_concurrent + n - 1) / n;
        auto [low, high] = slice(o.media_engine.port_min, o.media_engine.port_max, k, n);
        o.media_engine.port_min = low;
        o.media_engine.port_max = high;
        Shard& s = *shards_[k];
        s.batch = std::make_unique<CallBatch>(s.io, o);
        if (auto r = s.batch->open(); !r)
            return fail("thread " + std::to_string(k) + ": " + r.error().message);
        s.reporter = std::make_unique<ProgressReporter>(*s.batch);
    }
    return {};
}

void ShardedBatches::start() {
    const auto t0 = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    for (auto& shard : shards_) {
        Shard* s = shard.get();
        s->thread = std::thread([this, s, t0] {
            s->batch->set_t0(t0);
            s->batch->start([this, s] {
                s->done = true;
                ++finished_shards_;
            });
            s->io.run();
        });
    }
}

void ShardedBatches::stop() {
    for (auto& s : shards_) {
        if (s->batch && !s->done.load())
            boost::asio::post(s->io, [b = s->batch.get()] { b->stop(); });
    }
}

void ShardedBatches::join() {
    for (auto& s : shards_)
        if (s->thread.joinable()) s->thread.join();
}

nlohmann::json ShardedBatches::progress() {
    nlohmann::json total;
    for (auto& s : shards_) {
        if (s->done.load()) continue;  // its thread may be gone: it has nothing in flight
        auto promise = std::make_shared<std::promise<nlohmann::json>>();
        auto future = promise->get_future();
        boost::asio::post(s->io, [s = s.get(), promise] { promise->set_value(s->reporter->next()); });
        if (future.wait_for(std::chrono::milliseconds(500)) != std::future_status::ready) continue;
        nlohmann::json p = future.get();
        total = total.is_null() ? p : sum_progress(total, p);
    }
    if (total.is_null()) total = {{"event", "progress"}};
    return total;
}

std::vector<const CallBatch*> ShardedBatches::batches() const {
    std::vector<const CallBatch*> out;
    for (const auto& s : shards_) out.push_back(s->batch.get());
    return out;
}

nlohmann::json sum_progress(const nlohmann::json& a, const nlohmann::json& b) {
    nlohmann::json out = a;
    for (auto it = b.begin(); it != b.end(); ++it) {
        const std::string& key = it.key();
        if (!out.contains(key) || out[key].is_null()) {
            out[key] = it.value();
        } else if (it->is_object() && out[key].is_object()) {
            out[key] = sum_progress(out[key], *it);
        } else if (it->is_number() && out[key].is_number()) {
            const bool take_max = key == "elapsed_s" || key.find("lag") != std::string::npos;
            const double x = out[key].get<double>(), y = it->get<double>();
            if (take_max) {
                out[key] = std::max(x, y);
            } else if (it->is_number_unsigned() && out[key].is_number_unsigned()) {
                out[key] = out[key].get<std::uint64_t>() + it->get<std::uint64_t>();
            } else {
                out[key] = x + y;
            }
        }
    }
    return out;
}

}  // namespace pbxbench::uac
