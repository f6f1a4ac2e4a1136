// The control API's view of scripted callees (docs/conversations.md):
//   POST /_dialtone/calls/{CallSid}/say    Text, Duration (2.5s, 800ms), Confidence (0..1),
//                                          Audio (an uploaded clip's name: api/control/audio.hpp)
//   POST /_dialtone/calls/{CallSid}/press  Digits
//   GET  /_dialtone/calls/{CallSid}/transcript
// say and press are turns the callee takes now, or as soon as it has finished speaking.
// Thread-safety: needs exclusive access to the Engine.
#pragma once

#include <string>
#include <string_view>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// The turn a say or press request asks for; a 400 naming what is wrong.
core::Result<core::callee::Turn> parse_live_turn(std::string_view action, const FormFields& p);
// The transcript of the call's conversation as JSON; 404 when it has none.
Response transcript(const core::Engine& engine, const std::string& call_sid);
std::string transcript_json(const core::callee::Conversation& c);

}  // namespace dialtone::api
