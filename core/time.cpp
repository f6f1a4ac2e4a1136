#include "core/time.hpp"

#include <algorithm>

#include <cstdio>
#include <cstring>

namespace dialtone::core {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool read_int(const char*& p, int digits, int& out) {
  out = 0;
  for (int i = 0; i < digits; ++i) {
    if (*p < '0' || *p > '9') return false;
    out = out * 10 + (*p++ - '0');
  }
  return true;
}

bool make_time(int y, int mo, int d, int h, int mi, int s, TimePoint& out) {
  using namespace std::chrono;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  out = time_point_cast<Millis>(sys_days{ymd} + hours{h} + minutes{mi} + seconds{s});
  return true;
}

}  // namespace

size_t format_rfc2822_to(TimePoint t, char* buf) {
  using namespace std::chrono;
  const auto day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const hh_mm_ss hms{floor<seconds>(t - day_point)};
  const weekday wd{day_point};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    const int n = std::snprintf(
        buf, kRfc2822Max, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
        static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1], year,
        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count()));
    return std::min(static_cast<size_t>(n < 0 ? 0 : n), kRfc2822Max - 1);
  }
  // Every response renders up to four dates: format by hand rather than through printf.
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  std::memcpy(buf, kDays[wd.c_encoding()], 3);
  buf[3] = ',';
  buf[4] = ' ';
  two(buf + 5, static_cast<int>(static_cast<unsigned>(ymd.day())));
  buf[7] = ' ';
  std::memcpy(buf + 8, kMonths[static_cast<unsigned>(ymd.month()) - 1], 3);
  buf[11] = ' ';
  two(buf + 12, year / 100);
  two(buf + 14, year % 100);
  buf[16] = ' ';
  two(buf + 17, static_cast<int>(hms.hours().count()));
  buf[19] = ':';
  two(buf + 20, static_cast<int>(hms.minutes().count()));
  buf[22] = ':';
  two(buf + 23, static_cast<int>(hms.seconds().count()));
  std::memcpy(buf + 25, " +0000", 6);
  return 31;
}

std::string format_rfc2822(TimePoint t) {
  char buf[kRfc2822Max];
  return std::string(buf, format_rfc2822_to(t, buf));
}

bool parse_date_filter(const std::string& text, TimePoint& out, bool& date_only) {
  const char* p = text.c_str();
  int y, mo, d, h = 0, mi = 0, s = 0;
  // RFC 2822: "Tue, 10 Aug 2010 08:02:17 +0000"
  if (text.size() >= 25 && text[3] == ',') {
    p += 5;
    if (!read_int(p, 2, d) || *p++ != ' ') return false;
    mo = 0;
    for (int i = 0; i < 12; ++i)
      if (std::strncmp(p, kMonths[i], 3) == 0) mo = i + 1;
    p += 3;
    if (mo == 0 || *p++ != ' ' || !read_int(p, 4, y) || *p++ != ' ') return false;
    if (!read_int(p, 2, h) || *p++ != ':' || !read_int(p, 2, mi) || *p++ != ':' ||
        !read_int(p, 2, s))
      return false;
    date_only = false;
    return std::strcmp(p, " +0000") == 0 && make_time(y, mo, d, h, mi, s, out);
  }
  if (!read_int(p, 4, y) || *p++ != '-' || !read_int(p, 2, mo) || *p++ != '-' ||
      !read_int(p, 2, d))
    return false;
  if (*p == '\0') {
    date_only = true;
    return make_time(y, mo, d, 0, 0, 0, out);
  }
  if (*p != 'T' && *p != ' ') return false;
  ++p;
  if (!read_int(p, 2, h) || *p++ != ':' || !read_int(p, 2, mi) || *p++ != ':' ||
      !read_int(p, 2, s))
    return false;
  if (*p == '.') {  // fractional seconds are accepted and dropped
    ++p;
    while (*p >= '0' && *p <= '9') ++p;
  }
  if (!(*p == '\0' || std::strcmp(p, "Z") == 0 || std::strcmp(p, "+00:00") == 0 ||
        std::strcmp(p, "+0000") == 0))
    return false;
  date_only = false;
  return make_time(y, mo, d, h, mi, s, out);
}

}  // namespace dialtone::core
