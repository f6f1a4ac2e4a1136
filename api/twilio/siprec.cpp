#include "api/twilio/siprec.hpp"

#include "api/twilio/fork_resource.hpp"

namespace dialtone::api {

Response create_siprec(core::Engine& engine, const ApiRequest& req) {
  return create_fork(engine, req, core::call_resources::Kind::kSiprec, kSiprecDescription,
                     "Siprec");
}

Response update_siprec(core::Engine& engine, const ApiRequest& req) {
  return stop_fork(engine, req, core::call_resources::Kind::kSiprec, kSiprecDescription,
                   "Siprec");
}

}  // namespace dialtone::api
