// A mutex that spins for a moment before it sleeps (glibc's PTHREAD_MUTEX_ADAPTIVE_NP).
// Why: the engine lock is taken by every request from both I/O threads and held for a few
// microseconds. A plain std::mutex puts the loser to sleep in futex(2) and wakes it with
// another: on these machines (a VM, where a sleep and a wake are each a trip through the
// hypervisor) that was the largest system-call cost per request. Spinning first waits out a
// short hold; a long one (a store write, a big list) still sleeps.
// Meets Lockable, so std::lock_guard and std::unique_lock work with it.
#pragma once

#include <pthread.h>

namespace dialtone::server {

class AdaptiveMutex {
 public:
  AdaptiveMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mu_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~AdaptiveMutex() { pthread_mutex_destroy(&mu_); }
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() { pthread_mutex_lock(&mu_); }
  bool try_lock() { return pthread_mutex_trylock(&mu_) == 0; }
  void unlock() { pthread_mutex_unlock(&mu_); }

 private:
  pthread_mutex_t mu_;
};

}  // namespace dialtone::server
