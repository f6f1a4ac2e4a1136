// A minimal streaming XML writer for Twilio's <TwilioResponse> bodies: no pretty-printing,
// `<Empty/>` for nulls, and the single-quoted declaration Twilio sends. Hand-written rather
// than tinyxml2 so the bytes match Twilio's exactly.
// Thread-safety: one writer per thread.
#pragma once

#include <string>
#include <string_view>

namespace dialtone::api {

class XmlWriter {
 public:
  XmlWriter() { out_ = "<?xml version='1.0' encoding='UTF-8'?>\n"; }

  void open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
  }
  // Starts `<name`; add attributes, then call end_open().
  void open_with_attributes(std::string_view name) {
    out_ += '<';
    out_ += name;
  }
  void attribute(std::string_view name, std::string_view value) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    escape(value, true);
    out_ += '"';
  }
  void end_open() { out_ += '>'; }
  void close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  // <name>text</name>, or <name/> when `text` is empty (Twilio's null).
  void element(std::string_view name, std::string_view text) {
    if (text.empty()) {
      empty(name);
      return;
    }
    open(name);
    escape(text, false);
    close(name);
  }
  // Escaped character data inside an element opened by hand.
  void element_text(std::string_view text) { escape(text, false); }
  void empty(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += "/>";
  }
  std::string take() { return std::move(out_); }

 private:
  void escape(std::string_view text, bool attribute_value) {
    for (char c : text) {
      switch (c) {
        case '&': out_ += "&amp;"; break;
        case '<': out_ += "&lt;"; break;
        case '>': out_ += "&gt;"; break;
        case '"':
          if (attribute_value) out_ += "&quot;"; else out_ += c;
          break;
        default:
          // XML 1.0 cannot carry C0 controls other than tab, LF and CR, not even as character
          // references, and form values (%01) or a path can hold them: U+FFFD keeps the body
          // well-formed.
          if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out_ += "\xEF\xBF\xBD";
          } else {
            out_ += c;
          }
      }
    }
  }
  std::string out_;
};

}  // namespace dialtone::api
