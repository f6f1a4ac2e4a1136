#include "server/webhook_url.hpp"

#include <gtest/gtest.h>

#include "core/url.hpp"

namespace dialtone::server {
namespace {

using std::chrono::milliseconds;

TEST(WebhookUrl, PlainHttp) {
  std::string error;
  auto t = parse_webhook_url("http://example.com/app?x=1", {}, error);
  ASSERT_TRUE(t) << error;
  EXPECT_FALSE(t->https);
  EXPECT_EQ(t->host, "example.com");
  EXPECT_EQ(t->port, 80);
  EXPECT_EQ(t->host_header, "example.com");
  EXPECT_EQ(t->target, "/app?x=1");
  EXPECT_EQ(t->url, "http://example.com/app?x=1");
  EXPECT_EQ(t->timing.connect_timeout, milliseconds(5000));
  EXPECT_EQ(t->timing.retries, 1);
  EXPECT_EQ(t->timing.retry_on, kRetryConnect);
}

TEST(WebhookUrl, HttpsPortUserinfoAndEmptyPath) {
  std::string error;
  auto t = parse_webhook_url("https://user:pass@127.0.0.1:8443", {}, error);
  ASSERT_TRUE(t) << error;
  EXPECT_TRUE(t->https);
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8443);
  EXPECT_EQ(t->host_header, "127.0.0.1:8443");
  EXPECT_EQ(t->target, "/");
  EXPECT_EQ(t->userinfo, "user:pass");
  EXPECT_EQ(t->url, "https://user:pass@127.0.0.1:8443");
}

TEST(WebhookUrl, Ipv6) {
  std::string error;
  auto t = parse_webhook_url("http://[::1]:9000/x", {}, error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->host_header, "[::1]:9000");
}

TEST(WebhookUrl, FragmentOverridesAreReadAndStripped) {
  std::string error;
  auto t = parse_webhook_url("https://example.com/a?b=1#ct=1000&rt=2000&tt=3000&rc=3&rp=4xx,5xx",
                             {}, error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->url, "https://example.com/a?b=1");
  EXPECT_EQ(t->target, "/a?b=1");
  EXPECT_EQ(t->timing.connect_timeout, milliseconds(1000));
  EXPECT_EQ(t->timing.read_timeout, milliseconds(2000));
  EXPECT_EQ(t->timing.total_timeout, milliseconds(3000));
  EXPECT_EQ(t->timing.retries, 3);
  EXPECT_EQ(t->timing.retry_on, kRetry4xx | kRetry5xx);
}

TEST(WebhookUrl, OverridesClampToTwilioRanges) {
  WebhookTiming timing;
  apply_overrides("ct=5&rt=99999&tt=1&rc=9&rp=all&e=ashburn&unknown=1", timing);
  EXPECT_EQ(timing.connect_timeout, milliseconds(100));
  EXPECT_EQ(timing.read_timeout, milliseconds(15000));
  EXPECT_EQ(timing.total_timeout, milliseconds(100));
  EXPECT_EQ(timing.retries, 5);
  EXPECT_EQ(timing.retry_on, kRetryAll);
  apply_overrides("rp=none&rc=x&sni=n", timing);
  EXPECT_EQ(timing.retry_on, kRetryNone);
  EXPECT_EQ(timing.retries, 5);  // unparsable value ignored
  EXPECT_FALSE(timing.sni);
  apply_overrides("rp=ct,rt", timing);
  EXPECT_EQ(timing.retry_on, kRetryConnect | kRetryRead);
}

TEST(WebhookUrl, OverrideProblemsAreReportedAsWarnings) {
  std::string error;
  auto t = parse_webhook_url("https://a.example/x#ct=5&rt=abc&rp=ct,bogus&e=ashburn&zz=1&tt=2000",
                             {}, error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->url, "https://a.example/x");
  EXPECT_EQ(t->timing.connect_timeout, milliseconds(100));
  EXPECT_EQ(t->timing.read_timeout, milliseconds(15000));  // unparsable: default kept
  EXPECT_EQ(t->timing.total_timeout, milliseconds(2000));
  EXPECT_EQ(t->timing.retry_on, kRetryConnect);
  ASSERT_EQ(t->warnings.size(), 4u);
  EXPECT_EQ(t->warnings[0], "connection override ct=5 is out of range 100..10000: using 100");
  EXPECT_EQ(t->warnings[1], "connection override rt=abc is not a number: ignored");
  EXPECT_EQ(t->warnings[2], "connection override rp: unknown retry class 'bogus' ignored");
  EXPECT_EQ(t->warnings[3], "connection override 'zz' is unknown: ignored");
  // Valid overrides and no fragment: no warnings.
  EXPECT_TRUE(parse_webhook_url("http://a.example/#ct=1000&rc=0&rp=none&sni=n", {}, error)
                  ->warnings.empty());
  EXPECT_TRUE(parse_webhook_url("http://a.example/", {}, error)->warnings.empty());
}

TEST(WebhookUrl, InvalidUrls) {
  for (const char* bad : {"", "not a url", "ftp://example.com/", "/relative/path",
                          "http://", "http://host:99999/", "mailto:x@example.com"}) {
    std::string error;
    EXPECT_FALSE(parse_webhook_url(bad, {}, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(WebhookUrl, FormEncodingAndQueryAppend) {
  using core::form_encode;  // what the webhook client sends
  core::Fields p = {{"CallSid", "CA1"}, {"From", "+1 415"}, {"X", "a&b=c/é"}};
  EXPECT_EQ(form_encode(p), "CallSid=CA1&From=%2B1+415&X=a%26b%3Dc%2F%C3%A9");
  // Java's URLEncoder: '*' stays, '~' does not. The journal's webhook.request
  // body is the same encoding (core::form_encode), so it shows the bytes that were sent.
  EXPECT_EQ(form_encode({{"Digits", "1*2~3"}}), "Digits=1*2%7E3");
  EXPECT_EQ(core::form_encode({{"Digits", "1*2~3"}}), form_encode({{"Digits", "1*2~3"}}));
  EXPECT_EQ(append_query("http://h/p#rc=2", {{"a", "1"}}), "http://h/p?a=1");
  EXPECT_EQ(append_query("http://h/p?x=1", {{"a", "1"}}), "http://h/p?x=1&a=1");
  EXPECT_EQ(append_query("http://h/p", {}), "http://h/p");
}

}  // namespace
}  // namespace dialtone::server
