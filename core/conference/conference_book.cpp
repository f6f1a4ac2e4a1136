#include "core/conference/conference_book.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/sid.hpp"

namespace dialtone::core::conference {
namespace {

constexpr std::array<std::pair<std::string_view, uint16_t>, 9> kKeywords{{
    {"start", kKeywordStart},
    {"end", kKeywordEnd},
    {"join", kKeywordJoin},
    {"leave", kKeywordLeave},
    {"mute", kKeywordMute},
    {"hold", kKeywordHold},
    {"modify", kKeywordModify},
    {"speaker", kKeywordSpeaker},
    {"announcement", kKeywordAnnouncement},
}};

// Equal texts. Call sids differ in their random tail, so comparing the last 8 bytes first
// turns down every other participant without a call to memcmp: a Participant fetch or update
// looks through up to 250 of them, and those memcmp calls took 3.8% of the I/O thread in
// bench/conferences.mjs.
bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() >= sizeof(uint64_t)) {
    uint64_t x = 0, y = 0;
    std::memcpy(&x, a.data() + a.size() - sizeof x, sizeof x);
    std::memcpy(&y, b.data() + b.size() - sizeof y, sizeof y);
    if (x != y) return false;
  }
  return a == b;
}

}  // namespace

std::string_view to_wire(Status s) {
  switch (s) {
    case Status::kInit:
      return "init";
    case Status::kInProgress:
      return "in-progress";
    case Status::kCompleted:
      return "completed";
  }
  return "init";
}

std::optional<Status> status_from_wire(std::string_view s) {
  if (s == "init") return Status::kInit;
  if (s == "in-progress") return Status::kInProgress;
  if (s == "completed") return Status::kCompleted;
  return std::nullopt;
}

std::optional<uint16_t> parse_keywords(std::string_view text) {
  uint16_t bits = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find_first_of(" ,", pos);
    const std::string_view word =
        text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (word.empty()) continue;
    auto it = std::find_if(kKeywords.begin(), kKeywords.end(),
                           [&](const auto& k) { return k.first == word; });
    if (it == kKeywords.end()) return std::nullopt;
    bits |= it->second;
  }
  return bits;
}

std::string keywords_text(uint16_t bits) {
  std::string out;
  for (const auto& [word, bit] : kKeywords) {
    if ((bits & bit) == 0) continue;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

uint16_t keyword_of(std::string_view event) {
  if (event == "conference-start") return kKeywordStart;
  if (event == "conference-end") return kKeywordEnd;
  if (event == "participant-join") return kKeywordJoin;
  if (event == "participant-leave") return kKeywordLeave;
  if (event == "participant-mute" || event == "participant-unmute") return kKeywordMute;
  if (event == "participant-hold" || event == "participant-unhold") return kKeywordHold;
  if (event == "participant-modify") return kKeywordModify;
  if (event.starts_with("participant-speech")) return kKeywordSpeaker;
  if (event.starts_with("announcement")) return kKeywordAnnouncement;
  return 0;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (is_sid(label, "CA")) return false;
  if (label.find('/') != std::string_view::npos) return false;
  for (size_t i = 0; i + 2 < label.size(); ++i) {
    if (label[i] == '%' && label[i + 1] == '2' && (label[i + 2] == 'F' || label[i + 2] == 'f')) {
      return false;
    }
  }
  return true;
}

Participant* Conference::find(std::string_view key) {
  return const_cast<Participant*>(std::as_const(*this).find(key));
}

const Participant* Conference::find(std::string_view key) const {
  for (const Participant& p : participants) {
    if (same_text(p.call_sid, key)) return &p;
  }
  for (const Participant& p : participants) {
    if (!p.label.empty() && same_text(p.label, key)) return &p;
  }
  return nullptr;
}

size_t Conference::joined_count() const {
  return static_cast<size_t>(std::count_if(participants.begin(), participants.end(),
                                           [](const Participant& p) { return p.joined; }));
}

bool Conference::can_start() const {
  if (joined_count() < 2) return false;
  return std::any_of(participants.begin(), participants.end(),
                     [](const Participant& p) { return p.joined && p.start_conference_on_enter; });
}

std::optional<Participant> Conference::remove(std::string_view call_sid) {
  auto it = std::find_if(participants.begin(), participants.end(),
                         [&](const Participant& p) { return p.call_sid == call_sid; });
  if (it == participants.end()) return std::nullopt;
  Participant gone = std::move(*it);
  participants.erase(it);
  return gone;
}

std::string ConferenceBook::name_key(std::string_view account_sid, std::string_view name) {
  std::string key(account_sid);
  key += '/';
  key += name;
  return key;
}

Conference* ConferenceBook::find(std::string_view account_sid, std::string_view sid) {
  return const_cast<Conference*>(std::as_const(*this).find(account_sid, sid));
}

const Conference* ConferenceBook::find(std::string_view account_sid, std::string_view sid) const {
  auto it = by_sid_.find(sid);
  if (it == by_sid_.end() || it->second->account_sid != account_sid) return nullptr;
  return it->second;
}

Conference* ConferenceBook::active(std::string_view account_sid, std::string_view name) {
  auto it = active_.find(name_key(account_sid, name));
  return it == active_.end() ? nullptr : it->second;
}

std::vector<const Conference*> ConferenceBook::list(std::string_view account_sid) const {
  std::vector<const Conference*> out;
  for (const auto& c : conferences_) {
    if (c->account_sid == account_sid) out.push_back(c.get());
  }
  return out;
}

Conference& ConferenceBook::add(Conference c) {
  conferences_.push_back(std::make_unique<Conference>(std::move(c)));
  Conference& added = *conferences_.back();
  by_sid_[added.sid] = &added;
  if (added.active()) active_[name_key(added.account_sid, added.friendly_name)] = &added;
  return added;
}

void ConferenceBook::completed(const Conference& c) {
  auto it = active_.find(name_key(c.account_sid, c.friendly_name));
  if (it != active_.end() && it->second == &c) active_.erase(it);
}

void ConferenceBook::erase_account(std::string_view account_sid) {
  std::erase_if(active_, [&](const auto& e) { return e.second->account_sid == account_sid; });
  std::erase_if(by_sid_, [&](const auto& e) { return e.second->account_sid == account_sid; });
  std::erase_if(conferences_, [&](const auto& c) { return c->account_sid == account_sid; });
}

void ConferenceBook::clear() {
  active_.clear();
  by_sid_.clear();
  conferences_.clear();
}

}  // namespace dialtone::core::conference
