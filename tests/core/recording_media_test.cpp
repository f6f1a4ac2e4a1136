// core/media's side of recordings: a call's timeline (voices.hpp) and a recording's audio
// (recording_audio.hpp) as pure functions: pieces, trimming, whole seconds, PCM and WAV chunks.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/media/recording_audio.hpp"
#include "core/media/voices.hpp"

namespace dialtone::core::media {
namespace {

int16_t sample_at(const std::string& pcm, size_t frame, int channels, int channel) {
  const size_t i = (frame * static_cast<size_t>(channels) + static_cast<size_t>(channel)) * 2;
  return static_cast<int16_t>(static_cast<uint8_t>(pcm[i]) |
                              (static_cast<uint8_t>(pcm[i + 1]) << 8));
}

// The loudest sample of frames [from, to) of one channel.
int peak(const std::string& pcm, size_t from, size_t to, int channels, int channel) {
  int p = 0;
  for (size_t f = from; f < to; ++f)
    p = std::max(p, std::abs(sample_at(pcm, f, channels, channel)));
  return p;
}

uint32_t le32(const std::string& s, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

TEST(Spans, MergeOverlapsAndKeepOrder) {
  Spans s;
  EXPECT_TRUE(s.add(1000, 2000));
  EXPECT_TRUE(s.add(5000, 6000));
  EXPECT_TRUE(s.add(1500, 3000));   // overlaps the first
  EXPECT_TRUE(s.add(3000, 3500));   // touches it
  EXPECT_TRUE(s.add(4000, 4500));   // between two
  EXPECT_FALSE(s.add(7000, 7000));  // empty
  ASSERT_EQ(s.list().size(), 3u);
  EXPECT_EQ(s.list()[0].from_ms, 1000);
  EXPECT_EQ(s.list()[0].to_ms, 3500);
  EXPECT_EQ(s.list()[1].from_ms, 4000);
  EXPECT_EQ(s.list()[2].to_ms, 6000);
  EXPECT_TRUE(s.add(0, 10000));  // swallows everything
  ASSERT_EQ(s.list().size(), 1u);
  s.cut_at(2500);
  EXPECT_EQ(s.list()[0].to_ms, 2500);
  const auto in = s.between(2000, 9000);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].from_ms, 2000);
  EXPECT_EQ(in[0].to_ms, 2500);
}

TEST(Spans, AreBounded) {
  Spans s;
  for (size_t i = 0; i < kMaxSpans; ++i) {
    ASSERT_TRUE(s.add(static_cast<int64_t>(i) * 10, static_cast<int64_t>(i) * 10 + 5));
  }
  EXPECT_FALSE(s.add(1'000'000'000, 1'000'000'005));
  EXPECT_EQ(s.list().size(), kMaxSpans);
}

RecordingAudio two_sides(int channels) {
  RecordingAudio a;
  a.channels = channels;
  a.pieces = {Piece{0, 4000, false}};
  a.sources.push_back(Source{{Span{1000, 2000}}, 440, 0});
  a.sources.push_back(Source{{Span{2500, 3000}}, 660, channels == 2 ? 1 : 0});
  return a;
}

TEST(RecordingAudio, DualChannelsCarryOneSideEach) {
  const RecordingAudio a = two_sides(2);
  ASSERT_EQ(a.frames(), 32000u);
  std::string pcm;
  render_pcm(a, 0, a.frames(), 2, pcm);
  ASSERT_EQ(pcm.size(), 32000u * 4);
  EXPECT_EQ(peak(pcm, 0, 8000, 2, 0), 0);         // nobody before 1 s
  EXPECT_GT(peak(pcm, 8000, 16000, 2, 0), 9000);  // the callee, channel 1
  EXPECT_EQ(peak(pcm, 8000, 16000, 2, 1), 0);
  EXPECT_GT(peak(pcm, 20000, 24000, 2, 1), 9000);  // the prompt, channel 2
  EXPECT_EQ(peak(pcm, 20000, 24000, 2, 0), 0);
  EXPECT_EQ(peak(pcm, 24000, 32000, 2, 0) + peak(pcm, 24000, 32000, 2, 1), 0);
}

TEST(RecordingAudio, MonoMixesBothSidesAndDownmixMatches) {
  std::string mono, down;
  const RecordingAudio m = two_sides(1);
  render_pcm(m, 0, m.frames(), 1, mono);
  const RecordingAudio d = two_sides(2);
  render_pcm(d, 0, d.frames(), 1, down);  // RequestedChannels=1 of a dual recording
  EXPECT_EQ(mono, down);
  EXPECT_GT(peak(mono, 8000, 16000, 1, 0), 9000);
  EXPECT_GT(peak(mono, 20000, 24000, 1, 0), 9000);
}

TEST(RecordingAudio, RangesRenderTheSameAsTheWhole) {
  const RecordingAudio a = two_sides(2);
  std::string whole, parts;
  render_pcm(a, 0, a.frames(), 2, whole);
  for (uint64_t f = 0; f < a.frames(); f += 777) {
    render_pcm(a, f, std::min<uint64_t>(777, a.frames() - f), 2, parts);
  }
  EXPECT_EQ(whole, parts);
}

TEST(RecordingAudio, SilentPiecesAndGapsFollowThePieces) {
  RecordingAudio a;
  a.sources.push_back(Source{{Span{0, 10000}}, 440, 0});  // speaks throughout
  // 0-2 s kept, 2-4 s paused as silence, 6-7 s kept (4-6 s skipped).
  a.pieces = {Piece{0, 2000, false}, Piece{2000, 4000, true}, Piece{6000, 7000, false}};
  EXPECT_EQ(a.length_ms(), 5000);
  std::string pcm;
  render_pcm(a, 0, a.frames(), 1, pcm);
  EXPECT_GT(peak(pcm, 0, 16000, 1, 0), 9000);
  EXPECT_EQ(peak(pcm, 16000, 32000, 1, 0), 0);
  EXPECT_GT(peak(pcm, 32000, 40000, 1, 0), 9000);
}

TEST(RecordingAudio, TrimSilenceKeepsFromFirstToLastSound) {
  RecordingAudio a = two_sides(1);
  trim_silence(a);
  EXPECT_EQ(a.length_ms(), 2000);  // 1 s .. 3 s
  RecordingAudio quiet;
  quiet.pieces = {Piece{0, 5000, false}};
  quiet.sources.push_back(Source{{}, 440, 0});
  trim_silence(quiet);
  EXPECT_EQ(quiet.length_ms(), 0);
}

TEST(RecordingAudio, FitToSecondsRoundsHalfUpWithSilenceOrCuts) {
  RecordingAudio a;
  a.pieces = {Piece{0, 2500, false}};
  EXPECT_EQ(fit_to_seconds(a), 3);
  EXPECT_EQ(a.length_ms(), 3000);
  EXPECT_TRUE(a.pieces.back().silent);
  RecordingAudio b;
  b.pieces = {Piece{0, 1000, false}, Piece{5000, 5400, false}};
  EXPECT_EQ(fit_to_seconds(b), 1);
  EXPECT_EQ(b.length_ms(), 1000);
  ASSERT_EQ(b.pieces.size(), 1u);
}

TEST(WavChunks, HeaderSizesAndChunksAddUp) {
  const RecordingAudio a = two_sides(2);
  WavChunks w(a, 2, 1000);
  EXPECT_EQ(w.size(), 44u + 32000u * 4);
  std::string file, piece;
  size_t pieces = 0;
  while (w.next(piece)) {
    EXPECT_LE(piece.size(), 1000u);
    file += piece;
    ++pieces;
  }
  EXPECT_EQ(file.size(), w.size());
  EXPECT_GT(pieces, 100u);
  EXPECT_EQ(file.substr(0, 4), "RIFF");
  EXPECT_EQ(file.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le32(file, 4), file.size() - 8);
  EXPECT_EQ(file[22], 2);            // channels
  EXPECT_EQ(le32(file, 24), 8000u);  // sample rate
  EXPECT_EQ(file[34], 16);           // bits per sample
  EXPECT_EQ(le32(file, 40), 32000u * 4);
  std::string pcm;
  render_pcm(a, 0, a.frames(), 2, pcm);
  EXPECT_EQ(file.substr(44), pcm);
}

// An hour of dual audio is 115 MB: it is made 64 KiB at a time, never whole.
TEST(WavChunks, AnHourIsMadeInBoundedChunks) {
  RecordingAudio a;
  a.channels = 2;
  a.pieces = {Piece{0, 3'600'000, false}};
  Source callee{{}, 440, 0};
  for (int64_t t = 0; t < 3'600'000; t += 2000) callee.spans.push_back(Span{t, t + 1000});
  a.sources.push_back(std::move(callee));
  WavChunks w(a, 2);
  EXPECT_EQ(w.size(), 44u + 3600u * 8000u * 4u);
  std::string piece;
  uint64_t total = 0;
  size_t biggest = 0;
  while (w.next(piece)) {
    total += piece.size();
    biggest = std::max(biggest, piece.size());
  }
  EXPECT_EQ(total, w.size());
  EXPECT_LE(biggest, 64u * 1024u);
}

}  // namespace
}  // namespace dialtone::core::media
