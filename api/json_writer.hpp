// A RapidJSON Writer that separates like Twilio's bodies do: `{"code": 20404, "message": ...}`
// (": " after a key, ", " between members), on one line. Streams; builds no DOM.
// Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dialtone::api {

class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Base = rapidjson::Writer<rapidjson::StringBuffer>;
  explicit JsonWriter(rapidjson::StringBuffer& out) : Base(out) {}

  bool Null() { prefix(); return Base::WriteNull(); }
  bool Bool(bool b) { prefix(); return Base::WriteBool(b); }
  bool Int(int i) { prefix(); return Base::WriteInt(i); }
  bool Int64(int64_t i) { prefix(); return Base::WriteInt64(i); }
  bool Uint64(uint64_t u) { prefix(); return Base::WriteUint64(u); }
  bool Double(double d) { prefix(); return Base::WriteDouble(d); }
  bool String(std::string_view s) {
    prefix();
    // Most values (sids, dates, numbers, URIs) need no escaping: copy them in one go. The
    // output is the same as RapidJSON's, which escapes only '"', '\\' and control characters.
    for (unsigned char ch : s) {
      if (ch < 0x20 || ch == '"' || ch == '\\') {
        return Base::WriteString(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      }
    }
    char* p = os_->Push(s.size() + 2);
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return true;
  }
  bool Key(std::string_view s) { return String(s); }
  bool StartObject() {
    prefix();
    new (level_stack_.template Push<Level>()) Level(false);
    return Base::WriteStartObject();
  }
  bool EndObject() {
    level_stack_.template Pop<Level>(1);
    return Base::WriteEndObject();
  }
  bool StartArray() {
    prefix();
    new (level_stack_.template Push<Level>()) Level(true);
    return Base::WriteStartArray();
  }
  bool EndArray() {
    level_stack_.template Pop<Level>(1);
    return Base::WriteEndArray();
  }

  // Conveniences for the resource renderers.
  void member(std::string_view key, std::string_view value) { Key(key); String(value); }
  void member_or_null(std::string_view key, std::string_view value) {
    Key(key);
    if (value.empty()) Null(); else String(value);
  }
  void member_null(std::string_view key) { Key(key); Null(); }
  void member_int(std::string_view key, int64_t value) { Key(key); Int64(value); }

 private:
  void prefix() {
    if (level_stack_.Empty()) return;
    Level* level = level_stack_.template Top<Level>();
    if (level->valueCount > 0) {
      if (level->inArray || level->valueCount % 2 == 0) {
        os_->Put(',');
        os_->Put(' ');
      } else {
        os_->Put(':');
        os_->Put(' ');
      }
    }
    ++level->valueCount;
  }
};

}  // namespace dialtone::api
