// A webhook URL taken apart for sending: scheme, host, port, request target, the URL that is
// signed, and Twilio's per-URL connection overrides read from the fragment
// (#ct=..&rt=..&tt=..&rc=..&rp=..&e=..&sni=..), which is stripped before sending and signing.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/signature.hpp"

namespace dialtone::server {

// Retry policy classes (`rp`), as bits.
enum RetryOn : uint8_t {
  kRetryNone = 0,
  kRetryConnect = 1,  // ct: the TCP/TLS connection could not be made in time
  kRetryRead = 2,     // rt: connected, but no (complete) response in time
  kRetry4xx = 4,
  kRetry5xx = 8,
  kRetryAll = 15,
};

struct WebhookTiming {
  std::chrono::milliseconds connect_timeout{5000};  // per attempt
  std::chrono::milliseconds read_timeout{15000};    // first byte and between packets
  std::chrono::milliseconds total_timeout{15000};   // everything, retries included
  int retries = 1;
  uint8_t retry_on = kRetryConnect;  // Twilio's default rp=ct
  bool sni = true;
};

struct WebhookTarget {
  bool https = false;
  std::string host;         // without brackets for IPv6
  uint16_t port = 0;
  std::string host_header;  // host[:port] as written in the URL
  std::string target;       // path and query, as sent on the request line
  std::string url;          // the URL without its fragment: what is signed
  std::string userinfo;     // "user:pass" when given: sent as HTTP Basic auth
  WebhookTiming timing;
  // What was wrong with the fragment overrides ("rt=99999 is out of range 100..15000: using
  // 15000"). Twilio documents the ranges but no error code for values outside them, so the
  // request still goes out with the value clamped; the client reports these in the result's
  // error_message, which the engine journals as the response's "note".
  std::vector<std::string> warnings;
};

// nullopt (and `error` set) when the URL is not an absolute http(s) URL with a host: Twilio
// reports that as 11100. Override values out of Twilio's documented ranges are clamped into
// them, values that are not numbers and unknown keys are ignored; each adds a warning.
std::optional<WebhookTarget> parse_webhook_url(std::string_view url,
                                               const WebhookTiming& defaults,
                                               std::string& error);

// Applies one fragment ("ct=1000&rc=2") to `timing`; what it had to clamp or ignore is
// appended to `warnings` when given.
void apply_overrides(std::string_view fragment, WebhookTiming& timing,
                     std::vector<std::string>* warnings = nullptr);

// Appends params, form-encoded by core::form_encode, to the URL's query (GET webhooks).
std::string append_query(std::string_view url, const core::EventFields& params);

// webhook.allowed_hosts: `host` (as parsed, without brackets or port) matches an exact entry
// or a "*.suffix" entry (any name ending in ".suffix", not the suffix itself), both without
// regard to case. An empty list allows every host.
bool host_allowed(const std::vector<std::string>& allowed, std::string_view host);

}  // namespace dialtone::server
