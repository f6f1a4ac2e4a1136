// core/media: μ-law, base64 and WAV as pure functions.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "core/media/base64.hpp"
#include "core/media/mulaw.hpp"
#include "core/media/wav.hpp"

namespace dialtone::core::media {
namespace {

TEST(Mulaw, SilenceIsZero) {
  EXPECT_EQ(mulaw_encode(0), kMulawSilence);
  EXPECT_EQ(mulaw_decode(kMulawSilence), 0);
}

TEST(Mulaw, RoundTripIsWithinOneQuantisationStep) {
  for (int v = -32768; v <= 32767; v += 7) {
    const int16_t back = mulaw_decode(mulaw_encode(static_cast<int16_t>(v)));
    // μ-law's step grows with the magnitude: at most 1/16 of it, plus the bias.
    const int tolerance = std::abs(v) / 16 + 8 + (std::abs(v) > 32635 ? std::abs(v) - 32635 : 0);
    EXPECT_LE(std::abs(back - v), tolerance) << v;
  }
}

TEST(Mulaw, DecodeOfEveryByteReEncodesToItself) {
  for (int b = 0; b < 256; ++b) {
    if (b == 0x7F) continue;  // -0 and +0 both encode as 0xFF
    EXPECT_EQ(mulaw_encode(mulaw_decode(static_cast<uint8_t>(b))), b) << b;
  }
}

TEST(Mulaw, ToneAndSilenceHaveTheRightLengthAndSound) {
  EXPECT_EQ(silence(20).size(), 160u);
  EXPECT_TRUE(is_silent(silence(20)));
  const std::string t = tone(440, 20);
  EXPECT_EQ(t.size(), 160u);
  EXPECT_FALSE(is_silent(t));
  // Consecutive frames of a tone join: frame 2 is the continuation of frame 1.
  EXPECT_EQ(tone(440, 40).substr(160), tone(440, 20, 160));
}

TEST(Base64, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    auto back = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, bytes);
    bytes.push_back(static_cast<char>(n * 37));
  }
  EXPECT_EQ(base64_encode("Man"), "TWFu");
  EXPECT_EQ(base64_encode("Ma"), "TWE=");
  EXPECT_EQ(base64_encode(std::string(160, '\xff')).size(), 216u);  // one 20 ms frame
}

TEST(Base64, RefusesWhatIsNotBase64) {
  EXPECT_FALSE(base64_decode("TWF").has_value());
  EXPECT_FALSE(base64_decode("TW=u").has_value());
  EXPECT_FALSE(base64_decode("TW!u").has_value());
  EXPECT_FALSE(base64_decode("TWE=TWFu").has_value());  // padding mid-way
  EXPECT_EQ(base64_decode("").value(), "");
}

uint32_t le(const std::string& s, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

TEST(Wav, HeaderDescribesSixteenBitMonoAtEightKilohertz) {
  const std::string wav = wav_from_mulaw(tone(440, 1000));
  ASSERT_EQ(wav.size(), 44u + 16000u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(le(wav, 4, 4), 36u + 16000u);
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le(wav, 20, 2), 1u);      // PCM
  EXPECT_EQ(le(wav, 22, 2), 1u);      // mono
  EXPECT_EQ(le(wav, 24, 4), 8000u);   // sample rate
  EXPECT_EQ(le(wav, 34, 2), 16u);     // bits per sample
  EXPECT_EQ(wav.substr(36, 4), "data");
  EXPECT_EQ(le(wav, 40, 4), 16000u);  // exactly 2 bytes a sample: 1.000 s
}

}  // namespace
}  // namespace dialtone::core::media
