#include "uac/sharded_batches.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <random>
#include <string_view>
#include <unordered_map>

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
    for (unsigned k = 0; k < std::max(shards, 1u); ++k)
        shards_.push_back(std::make_unique<Shard>());
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
    // Every shard registers its own callers first; once the last one is ready, all begin one
    // schedule from one t0, so registrations never eat into the call schedule.
    auto ready = std::make_shared<std::atomic<std::size_t>>(0);
    for (auto& shard : shards_) {
        Shard* s = shard.get();
        s->thread = std::thread([this, s, ready] {
            s->batch->start_held(
                [this, ready] {
                    if (++*ready != shards_.size()) return;
                    const auto t0 = options_.t0.value_or(std::chrono::steady_clock::now() +
                                                         std::chrono::milliseconds(20));
                    for (auto& other : shards_)
                        boost::asio::post(other->io,
                                          [b = other->batch.get(), t0] { b->begin(t0); });
                },
                [this, s] {
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
        boost::asio::post(s->io,
                          [s = s.get(), promise] { promise->set_value(s->reporter->next()); });
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

namespace {

enum class Merge { sum, max, first };

// How each progress field combines across shards: counts and rates add, elapsed time and lag
// take the largest. A field not listed keeps the first shard's value rather than a sum that
// could be meaningless (a percentage, a ratio); add it here when adding it to progress.
Merge merge_rule(std::string_view path) {
    static const std::unordered_map<std::string_view, Merge> table = {
        {"attempted", Merge::sum},
        {"active", Merge::sum},
        {"completed", Merge::sum},
        {"failed", Merge::sum},
        {"failed_by_reason.*", Merge::sum},
        {"retransmissions", Merge::sum},
        {"cps", Merge::sum},
        {"registered", Merge::sum},
        {"elapsed_s", Merge::max},
        {"media.streams", Merge::sum},
        {"media.packets_sent", Merge::sum},
        {"media.packets_received", Merge::sum},
        {"media.packets_out_per_s", Merge::sum},
        {"media.packets_in_per_s", Merge::sum},
        {"media.kernel_drops", Merge::sum},
        {"media.pacing_lag_p99_ms", Merge::max},
    };
    auto it = table.find(path);
    if (it != table.end()) return it->second;
    const auto dot = path.rfind('.');
    if (dot != std::string_view::npos) {
        std::string wildcard(path.substr(0, dot));
        wildcard += ".*";
        auto w = table.find(wildcard);
        if (w != table.end()) return w->second;
    }
    return Merge::first;
}

nlohmann::json sum_at(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix) {
    nlohmann::json out = a;
    for (auto it = b.begin(); it != b.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        nlohmann::json& mine = out[it.key()];
        if (mine.is_null()) {
            mine = it.value();
        } else if (it->is_object() && mine.is_object()) {
            mine = sum_at(mine, *it, path);
        } else if (it->is_number() && mine.is_number()) {
            switch (merge_rule(path)) {
                case Merge::first:
                    break;
                case Merge::max:
                    mine = std::max(mine.get<double>(), it->get<double>());
                    break;
                case Merge::sum:
                    if (it->is_number_unsigned() && mine.is_number_unsigned())
                        mine = mine.get<std::uint64_t>() + it->get<std::uint64_t>();
                    else
                        mine = mine.get<double>() + it->get<double>();
                    break;
            }
        }
    }
    return out;
}

}  // namespace

nlohmann::json sum_progress(const nlohmann::json& a, const nlohmann::json& b) {
    return sum_at(a, b, "");
}

}  // namespace pbxbench::uac
