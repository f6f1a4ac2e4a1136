// A Twilio resource described once: its fields in the spec's order, each with its JSON key, its
// XML element and how its value is written. That one description renders the resource as JSON
// and XML, and pages of it in both envelopes, so a field is never listed twice (the schema
// tests read the same description). Calls (XML), Notifications, Queues, Members, Conferences
// and Participants use it. The Call keeps a hand-tuned JSON writer for speed
// (render_json.cpp), which a test holds to the generic one.
// Thread-safety: descriptions are constants; rendering is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/resources.hpp"
#include "core/time.hpp"

namespace dialtone::api::resource {

// How a value is written. A null is JSON's null and XML's empty element.
struct Value {
  enum class Kind : uint8_t { kNull, kString, kInt, kIntString, kBool, kDate, kPath, kSubresources };
  Kind kind = Kind::kNull;
  int64_t number = 0;                           // kInt, kIntString, kBool (0 or 1)
  core::TimePoint time{};                       // kDate (RFC 2822; the epoch itself is a null)
  std::span<const Subresource> subresources{};  // kSubresources

  // kString; kPath and kSubresources: the resource's path.
  std::string_view text() const { return owns_ ? std::string_view(owned_) : view_; }

  static Value null() { return {}; }
  // An empty string is a null, as Twilio shows an unset string.
  static Value string(std::string_view s) { return s.empty() ? Value{} : text_of(s); }
  // A string even when empty: a view of the resource's own, or one made for it.
  static Value text_of(std::string_view s) { return of(Kind::kString, s); }
  static Value text_of(std::string&& s) { return owning(Kind::kString, std::move(s)); }
  static Value text_of(const char* s) { return of(Kind::kString, s); }
  static Value integer(int64_t n) {
    Value v;
    v.kind = Kind::kInt;
    v.number = n;
    return v;
  }
  static Value boolean(bool b) {
    Value v = integer(b ? 1 : 0);
    v.kind = Kind::kBool;
    return v;
  }
  // An integer Twilio writes as a string ("duration": "15"); null when absent.
  static Value int_string(const std::optional<int64_t>& n) {
    if (!n) return {};
    Value v = integer(*n);
    v.kind = Kind::kIntString;
    return v;
  }
  static Value date(core::TimePoint t) {
    Value v;
    v.kind = Kind::kDate;
    v.time = t;
    return v;
  }
  static Value date(const std::optional<core::TimePoint>& t) { return t ? date(*t) : Value{}; }
  // A resource's path without a suffix: JSON adds ".json", XML shows it bare.
  static Value path(std::string p) { return owning(Kind::kPath, std::move(p)); }
  // The subresources under a resource's path, each as a path (JSON: an object of them; XML:
  // an element holding one element each).
  static Value subresources_of(std::string p, std::span<const Subresource> list) {
    Value v = owning(Kind::kSubresources, std::move(p));
    v.subresources = list;
    return v;
  }

 private:
  static Value of(Kind k, std::string_view s) {
    Value v;
    v.kind = k;
    v.view_ = s;
    return v;
  }
  static Value owning(Kind k, std::string s) {
    Value v;
    v.kind = k;
    v.owned_ = std::move(s);
    v.owns_ = true;
    return v;
  }
  std::string_view view_;
  std::string owned_;
  bool owns_ = false;
};

template <class T>
struct Field {
  std::string_view json;  // "date_updated"
  std::string_view xml;   // "DateUpdated"
  Value (*get)(const T&);
  bool instance_only = false;  // shown by a fetch, left out of list pages (Notifications)
};

template <class T>
struct Description {
  std::string_view xml_element;  // "Queue"
  std::string_view list_key;     // "queues": the page's array in JSON
  std::string_view xml_list;     // "Queues": the page's element in XML
  std::span<const Field<T>> fields;
};

// The type-erased core the templates below feed: one object as (key, element, value) rows.
struct Row {
  std::string_view json;
  std::string_view xml;
  Value value;
};
std::string object_json(const std::vector<std::vector<Row>>& objects, std::string_view list_key,
                        const PageMeta* meta);
std::string object_xml(const std::vector<std::vector<Row>>& objects, std::string_view element,
                       std::string_view list_element, const PageMeta* meta);

template <class T>
std::vector<Row> rows_of(const Description<T>& d, const T& item, bool instance) {
  std::vector<Row> rows;
  rows.reserve(d.fields.size());
  for (const Field<T>& f : d.fields) {
    if (f.instance_only && !instance) continue;
    rows.push_back(Row{f.json, f.xml, f.get(item)});
  }
  return rows;
}

// One resource, as a fetch (or a create, an update) answers it; `instance` false: as a list
// page shows it.
template <class T>
std::string to_json(const Description<T>& d, const T& item, bool instance = true) {
  return object_json({rows_of(d, item, instance)}, {}, nullptr);
}

template <class T>
std::string to_xml(const Description<T>& d, const T& item, bool instance = true) {
  return object_xml({rows_of(d, item, instance)}, d.xml_element, {}, nullptr);
}

// A page of them, in its envelope.
template <class T>
std::string page_json(const Description<T>& d, const std::vector<const T*>& items,
                      const PageMeta& m) {
  std::vector<std::vector<Row>> objects;
  objects.reserve(items.size());
  for (const T* item : items) objects.push_back(rows_of(d, *item, false));
  return object_json(objects, d.list_key, &m);
}

template <class T>
std::string page_xml(const Description<T>& d, const std::vector<const T*>& items,
                     const PageMeta& m) {
  std::vector<std::vector<Row>> objects;
  objects.reserve(items.size());
  for (const T* item : items) objects.push_back(rows_of(d, *item, false));
  return object_xml(objects, d.xml_element, d.xml_list, &m);
}

// The JSON keys of a description, in order (the schema tests compare them with the spec's).
template <class T>
std::vector<std::string> json_keys(const Description<T>& d, bool instance = true) {
  std::vector<std::string> keys;
  for (const Field<T>& f : d.fields) {
    if (instance || !f.instance_only) keys.emplace_back(f.json);
  }
  return keys;
}

}  // namespace dialtone::api::resource
