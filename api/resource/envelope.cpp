#include "api/resource/envelope.hpp"

#include <string>

namespace dialtone::api::resource {

void write_page_meta(JsonWriter& w, const PageMeta& m) {
  w.member_int("end", m.end);
  w.member("first_page_uri", m.first_page_uri);
  w.member_or_null("next_page_uri", m.next_page_uri);
  w.member_int("page", m.page);
  w.member_int("page_size", m.page_size);
  w.member_or_null("previous_page_uri", m.previous_page_uri);
  w.member_int("start", m.start);
  w.member("uri", m.uri);
}

void open_page(XmlWriter& x, std::string_view name, const PageMeta& m) {
  x.open_with_attributes(name);
  x.attribute("page", std::to_string(m.page));
  x.attribute("pagesize", std::to_string(m.page_size));
  x.attribute("uri", m.uri);
  x.attribute("firstpageuri", m.first_page_uri);
  x.attribute("previouspageuri", m.previous_page_uri);
  x.attribute("nextpageuri", m.next_page_uri);
  x.attribute("start", std::to_string(m.start));
  x.attribute("end", std::to_string(m.end));
  x.end_open();
}

}  // namespace dialtone::api::resource
