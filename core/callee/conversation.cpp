#include "core/callee/conversation.hpp"

namespace dialtone::core::callee {

size_t Conversation::add(Entry e) {
  if (entries_.size() >= kMaxEntries) return static_cast<size_t>(-1);
  entries_.push_back(std::move(e));
  return entries_.size() - 1;
}

bool Conversation::cut_agent(TimePoint now) {
  bool cut = false;
  // Only the last few entries can still be going on; look back over the callee's own.
  for (size_t i = entries_.size(); i-- > 0;) {
    Entry& e = entries_[i];
    if (e.speaker != Entry::Speaker::kAgent) continue;
    if (e.end > now && e.start <= now && (e.type == "speech" || e.type == "play")) {
      e.end = now;
      e.interrupted = true;
      cut = true;
    }
    if (e.end < now) break;
  }
  runner_.agent_stopped(now);
  return cut;
}

void Conversation::cut_agent_via(std::string_view via, TimePoint at, bool interrupted) {
  for (size_t i = entries_.size(); i-- > 0;) {
    Entry& e = entries_[i];
    if (e.speaker != Entry::Speaker::kAgent || e.via != via) continue;
    if (e.end <= at) break;  // entries of one `via` follow each other in time
    if (e.start < at) {
      e.end = at;
      e.interrupted = interrupted;
      continue;
    }
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    for (size_t* open : {&open_agent_entry, &open_stream_entry}) {
      if (*open == i) *open = static_cast<size_t>(-1);
      else if (*open != static_cast<size_t>(-1) && *open > i) --*open;
    }
  }
  runner_.agent_stopped(at);
}

std::vector<Span> callee_speech_spans(const Conversation& c) {
  std::vector<Span> spans;
  for (const Entry& e : c.entries()) {
    if (e.speaker == Entry::Speaker::kCallee && e.type == "speech") {
      spans.push_back(Span{e.start, e.end});
    }
  }
  return spans;
}

Conversation& ConversationBook::add(std::unique_ptr<Conversation> c) {
  std::string sid = c->call_sid();
  auto& slot = by_call_[sid];
  slot = std::move(c);
  return *slot;
}

Conversation* ConversationBook::find(std::string_view call_sid) {
  auto it = by_call_.find(call_sid);
  return it == by_call_.end() ? nullptr : it->second.get();
}

void ConversationBook::ended(Conversation& c) {
  if (c.ended()) return;
  c.end();
  ended_.push_back(c.call_sid());
  while (ended_.size() > kMaxEndedConversations) {
    by_call_.erase(ended_.front());
    ended_.pop_front();
  }
}

void ConversationBook::erase(const std::string& call_sid) {
  if (by_call_.erase(call_sid) == 0) return;
  std::erase(ended_, call_sid);
}

void ConversationBook::clear() {
  by_call_.clear();
  ended_.clear();
}

}  // namespace dialtone::core::callee
