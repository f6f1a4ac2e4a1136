#include "server/webhook_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

#include "api/form.hpp"
#include "core/url.hpp"

namespace dialtone::server {
namespace {

// Unknown classes add nothing and are reported.
uint8_t parse_policy(std::string_view text, std::vector<std::string>& unknown) {
  uint8_t bits = 0;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (item == "all") bits |= kRetryAll;
    else if (item == "ct") bits |= kRetryConnect;
    else if (item == "rt") bits |= kRetryRead;
    else if (item == "4xx") bits |= kRetry4xx;
    else if (item == "5xx") bits |= kRetry5xx;
    else if (item != "none") unknown.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return bits;
}

}  // namespace

void apply_overrides(std::string_view fragment, WebhookTiming& timing,
                     std::vector<std::string>* warnings) {
  auto warn = [&](std::string text) {
    if (warnings) warnings->push_back("connection override " + std::move(text));
  };
  // A number in Twilio's documented range (Webhook connection overrides), clamped into it.
  auto number = [&](std::string_view key, std::string_view value, long long lo, long long hi,
                    long long& out) {
    if (!api::parse_integer(value, out)) {
      warn(std::string(key) + "=" + std::string(value) + " is not a number: ignored");
      return false;
    }
    long long clamped = std::clamp(out, lo, hi);
    if (clamped != out) {
      warn(std::string(key) + "=" + std::string(value) + " is out of range " +
           std::to_string(lo) + ".." + std::to_string(hi) + ": using " +
           std::to_string(clamped));
      out = clamped;
    }
    return true;
  };
  while (!fragment.empty()) {
    auto amp = fragment.find('&');
    std::string_view pair = fragment.substr(0, amp);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    long long n = 0;
    if (key == "ct") {
      if (number(key, value, 100, 10000, n)) timing.connect_timeout = std::chrono::milliseconds(n);
    } else if (key == "rt") {
      if (number(key, value, 100, 15000, n)) timing.read_timeout = std::chrono::milliseconds(n);
    } else if (key == "tt") {
      if (number(key, value, 100, 15000, n)) timing.total_timeout = std::chrono::milliseconds(n);
    } else if (key == "rc") {
      if (number(key, value, 0, 5, n)) timing.retries = static_cast<int>(n);
    } else if (key == "rp") {
      std::vector<std::string> unknown;
      timing.retry_on = parse_policy(value, unknown);
      for (const auto& u : unknown) warn("rp: unknown retry class '" + u + "' ignored");
    } else if (key == "sni") {
      timing.sni = !(value == "n" || value == "no" || value == "false");
    } else if (key == "e") {
      // The egress edge has no meaning here.
    } else if (!pair.empty()) {
      // Appended, not "'" + ...: GCC 12's false -Wrestrict at -O3 (see core/endpoint.cpp).
      warn(std::string(1, '\'').append(key).append("' is unknown: ignored"));
    }
    if (amp == std::string_view::npos) break;
    fragment.remove_prefix(amp + 1);
  }
}

std::optional<WebhookTarget> parse_webhook_url(std::string_view url,
                                               const WebhookTiming& defaults,
                                               std::string& error) {
  std::string_view without_fragment = url.substr(0, url.find('#'));
  auto parsed = boost::urls::parse_uri(without_fragment);
  if (!parsed) {
    error = "invalid URL '" + std::string(url) + "': " + parsed.error().message();
    return std::nullopt;
  }
  const boost::urls::url_view& u = *parsed;
  WebhookTarget t;
  if (u.scheme() == "https") {
    t.https = true;
  } else if (u.scheme() != "http") {
    error = "unsupported scheme in '" + std::string(url) + "'";
    return std::nullopt;
  }
  // encoded_host_address() drops the brackets of an IPv6 literal; resolvers want it bare.
  t.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                          : std::string(u.encoded_host());
  if (t.host.empty()) {
    error = "no host in '" + std::string(url) + "'";
    return std::nullopt;
  }
  if (u.has_port()) {
    long long port = 0;
    if (!api::parse_integer(std::string_view(u.port()), port) || port <= 0 || port > 65535) {
      error = "invalid port in '" + std::string(url) + "'";
      return std::nullopt;
    }
    t.port = static_cast<uint16_t>(port);
  } else {
    t.port = t.https ? 443 : 80;
  }
  t.host_header = u.encoded_host_and_port();
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  if (u.has_userinfo()) t.userinfo = u.userinfo();
  t.url = std::string(without_fragment);
  t.timing = defaults;
  if (auto hash = url.find('#'); hash != std::string_view::npos) {
    apply_overrides(url.substr(hash + 1), t.timing, &t.warnings);
  }
  return t;
}

std::string append_query(std::string_view url, const core::EventFields& params) {
  std::string out(url.substr(0, url.find('#')));
  if (params.empty()) return out;
  out += out.find('?') == std::string::npos ? '?' : '&';
  out += core::form_encode(params);
  return out;
}

bool host_allowed(const std::vector<std::string>& allowed, std::string_view host) {
  if (allowed.empty()) return true;
  auto lower = [](std::string_view in) {
    std::string out(in);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.size() > 2 && out.front() == '[' && out.back() == ']') {
      out = out.substr(1, out.size() - 2);
    }
    while (!out.empty() && out.back() == '.') out.pop_back();  // "example.com." is the same
    return out;
  };
  const std::string h = lower(host);
  for (const auto& entry : allowed) {
    const std::string e = lower(entry);
    if (e.starts_with("*.")) {
      const std::string_view suffix = std::string_view(e).substr(1);  // ".example.com"
      if (h.size() > suffix.size() && h.ends_with(suffix)) return true;
    } else if (h == e) {
      return true;
    }
  }
  return false;
}

}  // namespace dialtone::server
