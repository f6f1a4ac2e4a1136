#include "server/router.hpp"

#include <string_view>

#if __has_include("api/twilio_api.hpp")
#include "api/twilio_api.hpp"
#else
// Until api/twilio_api.hpp lands: the agreed signature of the Twilio API entry point.
namespace dialtone::api {
Response handle_twilio(core::Engine& engine, const Request& request, core::Effects& effects);
}  // namespace dialtone::api
#endif

namespace dialtone::server {

api::Response health_response(std::chrono::steady_clock::time_point started) {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  api::Response r;
  r.status = 200;
  r.content_type = "application/json; charset=utf-8";
  r.body = std::string("{\"status\":\"ok\",\"version\":\"") + DIALTONE_VERSION +
           "\",\"uptime_s\":" + std::to_string(uptime) + "}";
  return r;
}

Handler make_router(EngineHost& host, std::chrono::steady_clock::time_point started) {
  return [&host, started](api::Request request, Respond respond) {
    std::string_view path(request.target);
    path = path.substr(0, path.find('?'));
    if (path == "/_dialtone/health") {
      respond(health_response(started));
      return;
    }
    api::Response response;
    host.with_engine([&](core::Engine& engine, core::Effects& effects) {
      response = api::handle_twilio(engine, request, effects);
    });
    respond(std::move(response));
  };
}

}  // namespace dialtone::server
