// What the group commit writes through (server/group_commit.hpp; the server's is the Store,
// tests have a fake): one transaction a step at a time, so that the writer can apply the
// batches that have come in while it waits for the rest of a commit's.
// Thread-safety: one thread at a time (the writer's, or start-up's).
#pragma once

#include <vector>

#include "server/store_batch.hpp"

namespace dialtone::server {

class BatchTransaction {
 public:
  virtual ~BatchTransaction() = default;

  // apply() each batch, in order (the first that holds anything begins the transaction), then
  // finish(): the commit. Either throws std::exception on failure, after which abort() rolls
  // the transaction back (none of its batches is written); abort() does not throw.
  virtual void apply(const StoreBatch& batch) = 0;
  virtual void finish() = 0;
  virtual void abort() = 0;

  // apply() of each of `batches`, then finish(); on a throw, abort() and the rethrow.
  void commit(const std::vector<StoreBatch>& batches) {
    try {
      for (const auto& b : batches) apply(b);
      finish();
    } catch (...) {
      abort();
      throw;
    }
  }
};

}  // namespace dialtone::server
