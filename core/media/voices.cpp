#include "core/media/voices.hpp"

#include <algorithm>

namespace dialtone::core::media {

bool Spans::add(int64_t from_ms, int64_t to_ms) {
  if (to_ms <= from_ms) return false;
  // Nearly always appended in time order: merge with the last span, or go after it.
  auto it = std::lower_bound(spans_.begin(), spans_.end(), from_ms,
                             [](const Span& s, int64_t t) { return s.to_ms < t; });
  if (it == spans_.end() || it->from_ms > to_ms) {
    if (spans_.size() >= kMaxSpans) return false;
    spans_.insert(it, Span{from_ms, to_ms});
    return true;
  }
  // `it` touches the new span: widen it and swallow the spans it now covers.
  it->from_ms = std::min(it->from_ms, from_ms);
  it->to_ms = std::max(it->to_ms, to_ms);
  auto next = std::next(it);
  auto last = next;
  while (last != spans_.end() && last->from_ms <= it->to_ms) {
    it->to_ms = std::max(it->to_ms, last->to_ms);
    ++last;
  }
  spans_.erase(next, last);
  return true;
}

void Spans::cut_at(int64_t t) {
  while (!spans_.empty() && spans_.back().from_ms >= t) spans_.pop_back();
  if (!spans_.empty() && spans_.back().to_ms > t) spans_.back().to_ms = t;
}

std::vector<Span> Spans::between(int64_t from_ms, int64_t to_ms) const {
  std::vector<Span> out;
  auto it = std::upper_bound(spans_.begin(), spans_.end(), from_ms,
                             [](int64_t t, const Span& s) { return t < s.to_ms; });
  for (; it != spans_.end() && it->from_ms < to_ms; ++it) {
    out.push_back(Span{std::max(it->from_ms, from_ms), std::min(it->to_ms, to_ms)});
  }
  return out;
}

std::vector<ClipSpan> clips_between(const std::vector<ClipSpan>& clips, int64_t from_ms,
                                    int64_t to_ms) {
  std::vector<ClipSpan> out;
  for (const ClipSpan& c : clips) {
    if (c.from_ms < to_ms && c.to_ms() > from_ms) out.push_back(c);
  }
  return out;
}

Spans ConferenceVoices::mixed() const {
  Spans all;
  for (const auto& [call_sid, spans] : participants) {
    for (const Span& s : spans.list()) all.add(s.from_ms, s.to_ms);
  }
  return all;
}

}  // namespace dialtone::core::media
