// The conferences of one world (a root account and its subaccounts): each conference's status,
// its participants in the order they came, and the callback settings its first participant
// froze. Plain state that knows calls only by their sids: the engine
// (core/conference/engine_conference.cpp) decides who joins, leaves, starts and ends a
// conference; this keeps the records and answers the questions the REST resources and the
// start rule ask. docs/conferences.md has the choices made where Twilio is silent.
// Thread-safety: owned by the Engine, through the World that holds it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/call.hpp"
#include "core/recording/recording.hpp"
#include "core/time.hpp"
#include "core/string_hash.hpp"

namespace dialtone::core::conference {

// Twilio's documented bounds (reference §2.1, §2.5).
inline constexpr int kMaxParticipants = 250;
inline constexpr size_t kMaxNameLength = 128;
inline constexpr size_t kMaxLabelLength = 128;

enum class Status : uint8_t { kInit, kInProgress, kCompleted };
std::string_view to_wire(Status s);
std::optional<Status> status_from_wire(std::string_view s);

// The statusCallbackEvent keywords, as bits (reference §5.2).
enum EventKeyword : uint16_t {
  kKeywordStart = 1 << 0,
  kKeywordEnd = 1 << 1,
  kKeywordJoin = 1 << 2,
  kKeywordLeave = 1 << 3,
  kKeywordMute = 1 << 4,
  kKeywordHold = 1 << 5,
  kKeywordModify = 1 << 6,
  kKeywordSpeaker = 1 << 7,
  kKeywordAnnouncement = 1 << 8,
};
// Space- (or comma-) separated keywords; nullopt when one is not Twilio's (16002).
std::optional<uint16_t> parse_keywords(std::string_view text);
// The keywords of these bits, space-separated in Twilio's order (parse_keywords' inverse).
std::string keywords_text(uint16_t bits);
// The keyword that subscribes to an event ("participant-unmute" -> kKeywordMute).
uint16_t keyword_of(std::string_view event);

// A participant label Twilio accepts: 1 to 128 characters, not a Call sid, no '/' (16023/16024).
bool valid_label(std::string_view label);

struct Participant {
  std::string call_sid;
  std::string label;              // empty = null
  std::string call_sid_to_coach;  // empty = null
  bool coaching = false;
  bool end_conference_on_exit = false;
  bool muted = false;
  bool hold = false;
  bool start_conference_on_enter = true;
  bool beep_on_enter = true;
  bool beep_on_exit = true;
  bool joined = false;  // in the conference; false: a Participants API call not answered yet
  bool speaking = false;  // participant-speech-start reported, its stop not yet (not snapshotted)
  TimePoint date_created{};
  TimePoint date_updated{};
};

// What a first participant freezes on the conference (reference §5.1: first one wins).
struct CallbackSettings {
  Webhook url;          // empty: no conference status callbacks
  uint16_t events = 0;  // EventKeyword bits
};

struct Conference {
  std::string sid;  // CF...
  std::string account_sid;
  std::string friendly_name;
  Status status = Status::kInit;
  std::string reason_ended;     // conference_enum_reason_conference_ended; empty = null
  std::string call_sid_ending;  // empty = null
  TimePoint date_created{};
  TimePoint date_updated{};
  CallbackSettings callback;
  int sequence = 0;  // SequenceNumber of the last status callback sent
  int max_participants = kMaxParticipants;
  // <Conference record> / ConferenceRecord of the first participant: "record-from-start" (or
  // "true") records the conference from its start to its end (core/recording/).
  std::string record;
  recording::Options recording;  // its trim, status callback URL and events (mono, both)
  std::string announcing;  // a conference-wide AnnounceUrl playing now (empty: none)
  std::vector<Participant> participants;  // in the order they came

  bool active() const { return status != Status::kCompleted; }
  // By Call sid, or by label (REST addresses a participant either way).
  Participant* find(std::string_view call_sid_or_label);
  const Participant* find(std::string_view call_sid_or_label) const;
  size_t joined_count() const;
  // Twilio's start rule (reference §2.2): two joined participants, one of them with
  // startConferenceOnEnter. A ringing API participant does not count (reference §10).
  bool can_start() const;
  // Whether the conference hears this participant now: joined, neither muted nor on hold, in
  // a conference in progress (speaker events and the conference's recording follow this).
  bool hears(const Participant& p) const {
    return p.joined && !p.muted && !p.hold && status == Status::kInProgress;
  }
  // record-from-start (or true): the conference is recorded while it is in progress.
  bool recorded() const { return record == "record-from-start" || record == "true"; }
  // Removes the participant of this call; the removed one, or nullopt when it was not here.
  std::optional<Participant> remove(std::string_view call_sid);
};

class ConferenceBook {
 public:
  Conference* find(std::string_view account_sid, std::string_view sid);
  const Conference* find(std::string_view account_sid, std::string_view sid) const;
  // The conference of this name that is not completed (one at a time per name and account).
  Conference* active(std::string_view account_sid, std::string_view name);
  // In creation order.
  std::vector<const Conference*> list(std::string_view account_sid) const;
  Conference& add(Conference c);
  // Frees the name for a new conference: call when `c` completes.
  void completed(const Conference& c);
  void erase_account(std::string_view account_sid);
  void clear();
  const std::vector<std::unique_ptr<Conference>>& all() const { return conferences_; }

 private:
  static std::string name_key(std::string_view account_sid, std::string_view name);
  std::vector<std::unique_ptr<Conference>> conferences_;
  core::StringMap<Conference*> by_sid_;
  std::unordered_map<std::string, Conference*> active_;  // account + name -> not completed
};

}  // namespace dialtone::core::conference
