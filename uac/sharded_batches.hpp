#pragma once
// --threads N: the schedule split over N CallBatch shards, each on its own io_context and
// thread (call i belongs to shard i mod N, all sharing one t0, so the schedule is the same as
// one batch's). Progress is gathered from the shards' threads; the summary merges them exactly.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "uac/batch_options.hpp"
#include "uac/call_batch.hpp"

namespace pbxbench::uac {

class ShardedBatches {
  public:
    ShardedBatches(BatchOptions options, unsigned shards);
    ~ShardedBatches();

    // Opens every shard's SIP socket and media engine; errors name the shard.
    Result<void> open();
    // Starts every shard's thread with one t0 a little ahead, so all begin on the same schedule.
    void start();
    // Graceful stop of every shard (BYE/CANCEL), as CallBatch::stop.
    void stop();
    bool finished() const { return finished_shards_.load() == shards_.size(); }
    // Waits for every thread.
    void join();

    // The shards' progress lines summed (rates and counts add; elapsed and lag take the max).
    nlohmann::json progress();
    std::vector<const CallBatch*> batches() const;
    const BatchOptions& options() const { return options_; }

  private:
    struct Shard;
    BatchOptions options_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::size_t> finished_shards_{0};
};

// Sums two progress objects field by field (see ShardedBatches::progress).
nlohmann::json sum_progress(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace pbxbench::uac
