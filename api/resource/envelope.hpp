// The paging envelope of every list, in both representations: the members after a JSON page's
// array (alphabetical, as in Twilio's bodies) and the attributes of an XML page's element.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "api/json_writer.hpp"
#include "api/resources.hpp"
#include "api/xml_writer.hpp"

namespace dialtone::api::resource {

void write_page_meta(JsonWriter& w, const PageMeta& m);
// Opens <name page=".." pagesize=".." uri=".." ...>; the caller closes it.
void open_page(XmlWriter& x, std::string_view name, const PageMeta& m);

}  // namespace dialtone::api::resource
