#include "core/callee/script_runner.hpp"

#include <algorithm>

namespace dialtone::core::callee {

ScriptRunner::ScriptRunner(std::shared_ptr<const std::vector<Turn>> script)
    : script_(std::move(script)) {}

TimePoint ScriptRunner::Speech::word_end(size_t i) const {
  return start + length * static_cast<int64_t>(i) / static_cast<int64_t>(words);
}

void ScriptRunner::agent_speaking(TimePoint at, TimePoint until) {
  if (at >= agent_until_) {
    agent_from_ = at;  // the agent was silent: a new utterance
    agent_until_ = until;
  } else {
    agent_until_ = std::max(agent_until_, until);
  }
}

void ScriptRunner::agent_stopped(TimePoint at) {
  if (at < agent_until_) agent_until_ = std::max(at, agent_from_);
}

void ScriptRunner::live(Turn t) {
  if (activity_ != Activity::kHungUp) live_.push_back(std::move(t));
}

void ScriptRunner::start_speech(const Turn& t, TimePoint at, bool interrupting, bool live,
                                std::vector<Action>& out) {
  Millis length = speaking_time(t);
  if (!t.audio.empty() && clip_lengths_) length = clip_lengths_(t.audio).value_or(length);
  Speech s{t.text, at, length, std::max<size_t>(1, word_count(t.text)), 0};
  Action a{Action::Kind::kSpeechStart, at, t.text, s.length, t.confidence, interrupting, live,
           t.audio};
  out.push_back(std::move(a));
  speech_ = std::move(s);
}

void ScriptRunner::begin(const Turn& t, TimePoint now, bool live, std::vector<Action>& out) {
  switch (t.kind) {
    case Turn::Kind::kSay:
      start_speech(t, now, false, live, out);
      if (!live) activity_ = Activity::kSpeaking;
      return;
    case Turn::Kind::kPress:
      out.push_back(Action{Action::Kind::kPress, now, t.text, Millis{0}, t.confidence, false,
                           live, {}});
      return;
    case Turn::Kind::kSilence:
      activity_ = Activity::kSilence;
      until_ = now + t.duration.value_or(Millis{0});
      return;
    case Turn::Kind::kWait:
      activity_ = Activity::kWait;
      since_ = now;
      until_ = t.duration ? std::optional<TimePoint>(now + *t.duration) : std::nullopt;
      return;
    case Turn::Kind::kInterrupt:
      activity_ = Activity::kInterrupt;
      since_ = now;
      pending_ = t;
      return;
    case Turn::Kind::kHangup:
      out.push_back(
          Action{Action::Kind::kHangup, now, {}, Millis{0}, t.confidence, false, live, {}});
      activity_ = Activity::kHungUp;
      live_.clear();
      return;
  }
}

// The agent's utterance counts for a turn that began at since_ when it was still going on
// then, or started later.
std::optional<TimePoint> ScriptRunner::wait_over() const {
  std::optional<TimePoint> over;
  if (agent_until_ > since_) over = agent_until_ + kResponseGap;
  if (until_ && (!over || *until_ < *over)) over = *until_;
  return over;
}

std::optional<std::pair<TimePoint, bool>> ScriptRunner::interrupt_moment() const {
  if (agent_until_ <= since_) return std::nullopt;  // the agent has not spoken since
  const TimePoint moment = std::max(agent_from_ + pending_.after, since_);
  if (moment < agent_until_) return std::make_pair(moment, true);
  // The utterance ended before the moment came: the callee says its piece after it.
  return std::make_pair(agent_until_ + kResponseGap, false);
}

void ScriptRunner::advance(TimePoint now, std::vector<Action>& out) {
  // Each pass takes one step; a script of kMaxTurns turns and live turns fit well within.
  for (size_t guard = 0; guard < 4 * kMaxTurns + 64; ++guard) {
    if (speech_) {
      Speech& s = *speech_;
      while (partials_ && s.words_said + 1 < s.words && s.word_end(s.words_said + 1) <= now) {
        ++s.words_said;
        // The words said so far: the text up to the end of word `words_said`.
        size_t pos = 0, seen = 0;
        bool in_word = false;
        for (; pos < s.text.size(); ++pos) {
          const bool blank = s.text[pos] == ' ' || s.text[pos] == '\t' || s.text[pos] == '\n' ||
                             s.text[pos] == '\r';
          if (blank && in_word && ++seen == s.words_said) break;
          in_word = !blank;
        }
        out.push_back(Action{Action::Kind::kWord, s.word_end(s.words_said), s.text.substr(0, pos),
                             s.length, kDefaultConfidence, false, false, {}});
      }
      if (s.end() > now) return;
      out.push_back(Action{Action::Kind::kSpeechEnd, s.end(), s.text, s.length,
                           kDefaultConfidence, false, false, {}});
      speech_.reset();
      if (activity_ == Activity::kSpeaking) activity_ = Activity::kIdle;
      continue;
    }
    if (activity_ == Activity::kHungUp) return;
    if (!live_.empty()) {
      Turn t = std::move(live_.front());
      live_.pop_front();
      begin(t, now, true, out);
      continue;
    }
    switch (activity_) {
      case Activity::kIdle:
        if (!script_ || next_ >= script_->size()) return;
        begin((*script_)[next_++], now, false, out);
        continue;
      case Activity::kSilence:
        if (now < *until_) return;
        activity_ = Activity::kIdle;
        continue;
      case Activity::kWait: {
        const auto over = wait_over();
        if (!over || now < *over) return;
        activity_ = Activity::kIdle;
        continue;
      }
      case Activity::kInterrupt: {
        const auto moment = interrupt_moment();
        if (!moment || now < moment->first) return;
        activity_ = Activity::kSpeaking;
        start_speech(pending_, moment->first, moment->second, false, out);
        continue;
      }
      case Activity::kSpeaking:  // its speech ended above
        activity_ = Activity::kIdle;
        continue;
      case Activity::kHungUp:
        return;
    }
  }
}

std::optional<TimePoint> ScriptRunner::next_due() const {
  if (speech_) {
    if (partials_ && speech_->words_said + 1 < speech_->words) {
      return speech_->word_end(speech_->words_said + 1);
    }
    return speech_->end();
  }
  switch (activity_) {
    case Activity::kSilence:
      return until_;
    case Activity::kWait:
      return wait_over();
    case Activity::kInterrupt: {
      const auto moment = interrupt_moment();
      if (!moment) return std::nullopt;
      return moment->first;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace dialtone::core::callee
