#include "server/faults/fault_injector.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "api/control/faults.hpp"
#include "api/route.hpp"
#include "server/store.hpp"

namespace dialtone::server::faults {

namespace asio = boost::asio;
using core::faults::FaultKind;

struct FaultInjector::Impl : std::enable_shared_from_this<FaultInjector::Impl> {
  Impl(asio::io_context& io_context, EngineHost& engine_host)
      : io(io_context),
        host(engine_host),
        table(std::make_shared<FaultTable>(engine_host.config().faults,
                                           engine_host.config().account_sid)) {}

  // One request a rule fired on.
  struct Hit {
    RuleEntry entry;
    std::string account_sid;
    std::string call_sid;  // of the path; or of the real answer (an Applied create)
    std::string method;
    std::string path;
    std::string request_id;
    api::Format format = api::Format::kXml;
    api::RouteKind route = api::RouteKind::kCalls;  // of the path (intercept matched it)
    Respond respond;
  };

  asio::io_context& io;
  EngineHost& host;
  std::shared_ptr<FaultTable> table;

  // Runs `fn` after `ms` milliseconds (at once for 0).
  void after(int ms, std::function<void()> fn) {
    if (ms <= 0) return fn();
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(ms));
    timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
      if (!ec) fn();
    });
  }

  // `real_status`: the status of the real answer when the request ran (0: it did not run).
  void journal(const Hit& hit, int real_status) {
    const auto& rule = hit.entry.rule;
    core::Fields fields{{"rule", std::to_string(hit.entry.id)},
                        {"kind", std::string(core::faults::to_string(rule.kind))},
                        {"method", hit.method},
                        {"path", hit.path},
                        {"request_id", hit.request_id},
                        {"applied", rule.applied ? "true" : "false"}};
    if (rule.kind == FaultKind::kStatus) {
      fields.emplace_back("status", std::to_string(rule.status));
      fields.emplace_back("code", std::to_string(rule.code));
    }
    if (rule.latency_ms > 0) fields.emplace_back("latency_ms", std::to_string(rule.latency_ms));
    if (real_status != 0) fields.emplace_back("real_status", std::to_string(real_status));
    try {
      host.with_engine([&](core::Engine& engine, core::Effects&) {
        engine.record(hit.account_sid, hit.call_sid, "fault.injected", std::move(fields));
      });
    } catch (const StoreError&) {
      // Logged by the host; the fault is carried out all the same.
    }
  }

  // The fault itself, instead of an answer.
  void deliver(Hit& hit, int real_status) {
    journal(hit, real_status);
    const auto& rule = hit.entry.rule;
    api::Response r;
    switch (rule.kind) {
      case FaultKind::kStatus:
        r = api::fault_status_response(rule, hit.format);
        break;
      case FaultKind::kReset:
        r.delivery = api::Delivery::kReset;
        break;
      case FaultKind::kHang:
        r.delivery = api::Delivery::kHold;
        break;
      case FaultKind::kLatency:
        break;  // not delivered here
    }
    r.call_sid = hit.call_sid;
    r.route = hit.route;  // the metrics' label, as a served answer's
    hit.respond(std::move(r));
  }

  void run(std::shared_ptr<Hit> hit, api::Request request, const Serve& serve) {
    auto self = shared_from_this();
    const auto& rule = hit->entry.rule;
    const int wait = rule.latency_ms;
    if (rule.kind == FaultKind::kLatency && rule.applied) {
      serve(std::move(request), [self, hit, wait](api::Response real) {
        if (hit->call_sid.empty()) hit->call_sid = real.call_sid;
        self->after(wait, [self, hit, real = std::move(real)]() mutable {
          self->journal(*hit, real.status);
          hit->respond(std::move(real));
        });
      });
    } else if (rule.kind == FaultKind::kLatency) {
      after(wait, [self, hit, request = std::move(request), serve]() mutable {
        self->journal(*hit, 0);
        serve(std::move(request), std::move(hit->respond));
      });
    } else if (rule.applied) {
      serve(std::move(request), [self, hit, wait](api::Response real) {
        if (hit->call_sid.empty()) hit->call_sid = real.call_sid;
        self->after(wait, [self, hit, status = real.status] { self->deliver(*hit, status); });
      });
    } else {
      after(wait, [self, hit] { self->deliver(*hit, 0); });
    }
  }
};

FaultInjector::FaultInjector(asio::io_context& io, EngineHost& host)
    : impl_(std::make_shared<Impl>(io, host)) {}

FaultInjector::~FaultInjector() = default;

FaultTable& FaultInjector::table() { return *impl_->table; }

bool FaultInjector::intercept(api::Request& request, std::string_view path, const Serve& serve,
                              Respond& respond) {
  if (!impl_->table->has_rules()) return false;
  const auto route = api::match_route(path);
  if (!route) return false;
  auto entry =
      impl_->table->match(route->account_sid, request.method, api::route_template(route->kind));
  if (!entry) return false;
  auto hit = std::make_shared<Impl::Hit>();
  hit->entry = std::move(*entry);
  hit->account_sid = route->account_sid;
  hit->call_sid = route->call_sid;
  hit->method = request.method;
  hit->path = std::string(path);
  hit->request_id = request.request_id;
  hit->format = route->format;
  hit->route = route->kind;
  hit->respond = std::move(respond);
  spdlog::debug("fault rule {} fires on {} {}", hit->entry.id, hit->method, hit->path);
  impl_->run(std::move(hit), std::move(request), serve);
  return true;
}

std::function<void(core::WebhookRequest&)> FaultInjector::webhook_hook() const {
  return [table = impl_->table](core::WebhookRequest& request) {
    if (table->signature_fault(request.account_sid) == core::faults::SignatureFault::kWrongKey) {
      request.auth_token = core::faults::wrong_signing_key(request.auth_token);
    }
  };
}

}  // namespace dialtone::server::faults
