#include "server/background_thread.hpp"

#include <pthread.h>
#include <sched.h>

namespace dialtone::server {

void mark_background_thread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  sched_param none{};  // SCHED_BATCH takes priority 0
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &none);
}

}  // namespace dialtone::server
