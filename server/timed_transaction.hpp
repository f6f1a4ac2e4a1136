// A BatchTransaction that forwards to another and reports how long each finish() (the
// COMMIT) took: the store's commits, for the metrics (dialtone_store_commit_seconds). A
// commit that failed is reported too: its time was spent.
// Thread-safety: as the transaction it wraps.
#pragma once

#include <chrono>
#include <functional>
#include <utility>

#include "server/batch_transaction.hpp"

namespace dialtone::server {

class TimedTransaction final : public BatchTransaction {
 public:
  using Observe = std::function<void(std::chrono::microseconds)>;

  TimedTransaction(BatchTransaction& inner, Observe observe)
      : inner_(inner), observe_(std::move(observe)) {}

  void apply(const StoreBatch& batch) override { inner_.apply(batch); }
  void abort() override { inner_.abort(); }
  void finish() override {
    const auto started = std::chrono::steady_clock::now();
    struct Report {
      const TimedTransaction& self;
      std::chrono::steady_clock::time_point started;
      ~Report() {
        self.observe_(std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started));
      }
    } report{*this, started};
    inner_.finish();
  }

 private:
  BatchTransaction& inner_;
  Observe observe_;
};

}  // namespace dialtone::server
