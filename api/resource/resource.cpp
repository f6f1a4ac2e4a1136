#include "api/resource/resource.hpp"

#include "api/json_writer.hpp"
#include "api/resource/envelope.hpp"
#include "api/xml_writer.hpp"

namespace dialtone::api::resource {
namespace {

void write_json_value(JsonWriter& w, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      w.Null();
      return;
    case Value::Kind::kString:
      w.String(v.text());
      return;
    case Value::Kind::kInt:
      w.Int64(v.number);
      return;
    case Value::Kind::kIntString:
      w.String(std::to_string(v.number));
      return;
    case Value::Kind::kBool:
      w.Bool(v.number != 0);
      return;
    case Value::Kind::kSubresources:
      w.StartObject();
      for (const Subresource& s : v.subresources) {
        std::string p(v.text());
        p += '/';
        p += s.segment;
        p += ".json";
        w.member(s.key, p);
      }
      w.EndObject();
      return;
    case Value::Kind::kDate:
      if (v.time == core::TimePoint{})
        w.Null();
      else
        w.String(core::format_rfc2822(v.time));
      return;
    case Value::Kind::kPath: {
      std::string p(v.text());
      p += ".json";
      w.String(p);
      return;
    }
  }
}

std::string xml_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return {};
    case Value::Kind::kString:
    case Value::Kind::kPath:
      return std::string(v.text());
    case Value::Kind::kInt:
    case Value::Kind::kIntString:
      return std::to_string(v.number);
    case Value::Kind::kBool:
      return v.number != 0 ? "true" : "false";
    case Value::Kind::kSubresources:
      return {};  // written element by element (write_object)
    case Value::Kind::kDate:
      return v.time == core::TimePoint{} ? std::string() : core::format_rfc2822(v.time);
  }
  return {};
}

void write_object(JsonWriter& w, const std::vector<Row>& rows) {
  w.StartObject();
  for (const Row& r : rows) {
    w.Key(r.json);
    write_json_value(w, r.value);
  }
  w.EndObject();
}

void write_object(XmlWriter& x, std::string_view element, const std::vector<Row>& rows) {
  x.open(element);
  for (const Row& r : rows) {
    if (r.value.kind != Value::Kind::kSubresources) {
      x.element(r.xml, xml_text(r.value));
      continue;
    }
    x.open(r.xml);
    for (const Subresource& s : r.value.subresources) {
      std::string p(r.value.text());
      p += '/';
      p += s.segment;
      x.element(s.segment, p);
    }
    x.close(r.xml);
  }
  x.close(element);
}

}  // namespace

std::string object_json(const std::vector<std::vector<Row>>& objects, std::string_view list_key,
                        const PageMeta* meta) {
  std::string b;
  JsonWriter w(b);
  if (!meta) {
    if (!objects.empty()) write_object(w, objects.front());
    return b;
  }
  w.StartObject();
  w.Key(list_key);
  w.StartArray();
  for (const auto& rows : objects) write_object(w, rows);
  w.EndArray();
  write_page_meta(w, *meta);
  w.EndObject();
  return b;
}

std::string object_xml(const std::vector<std::vector<Row>>& objects, std::string_view element,
                       std::string_view list_element, const PageMeta* meta) {
  XmlWriter x;
  x.open("TwilioResponse");
  if (meta) open_page(x, list_element, *meta);
  for (const auto& rows : objects) write_object(x, element, rows);
  if (meta) x.close(list_element);
  x.close("TwilioResponse");
  return x.take();
}

}  // namespace dialtone::api::resource
