#include "core/media/mp3.hpp"

#include <algorithm>
#include <vector>

#ifdef DIALTONE_HAVE_LAME
#include <lame/lame.h>
#endif

namespace dialtone::core::media {
namespace {

constexpr uint64_t kFramesPerPiece = 576 * 16;  // 16 MPEG-2.5 frames of audio, about 1.2 s

}  // namespace

#ifdef DIALTONE_HAVE_LAME

bool mp3_available() { return true; }

struct Mp3Chunks::Encoder {
  lame_global_flags* lame = nullptr;
  ~Encoder() {
    if (lame) lame_close(lame);
  }
};

Mp3Chunks::Mp3Chunks(RecordingAudio audio, int channels)
    : audio_(std::move(audio)), channels_(channels), encoder_(std::make_unique<Encoder>()) {
  lame_global_flags* l = lame_init();
  encoder_->lame = l;
  if (!l) return;
  lame_set_in_samplerate(l, 8000);
  lame_set_out_samplerate(l, 8000);
  lame_set_num_channels(l, channels_);
  lame_set_mode(l, channels_ == 2 ? JOINT_STEREO : MONO);
  lame_set_VBR(l, vbr_off);
  lame_set_brate(l, kMp3Kbps);
  lame_set_bWriteVbrTag(l, 0);  // no Xing frame: every frame is audio
  lame_set_quality(l, 7);       // fast: the audio is tones and silence
  if (lame_init_params(l) < 0) {
    lame_close(l);
    encoder_->lame = nullptr;
  }
}

Mp3Chunks::~Mp3Chunks() = default;

bool Mp3Chunks::next(std::string& out) {
  out.clear();
  lame_global_flags* l = encoder_->lame;
  if (!l || flushed_) return false;
  std::string pcm;
  std::vector<short> samples;
  std::vector<unsigned char> mp3;
  while (out.empty()) {
    const uint64_t total = audio_.frames();
    if (next_frame_ >= total) {
      mp3.resize(7200);
      const int n = lame_encode_flush(l, mp3.data(), static_cast<int>(mp3.size()));
      flushed_ = true;
      if (n > 0) out.assign(reinterpret_cast<const char*>(mp3.data()), static_cast<size_t>(n));
      return !out.empty();
    }
    const uint64_t count = std::min<uint64_t>(kFramesPerPiece, total - next_frame_);
    pcm.clear();
    render_pcm(audio_, next_frame_, count, channels_, pcm);
    next_frame_ += count;
    samples.resize(pcm.size() / 2);
    for (size_t i = 0; i < samples.size(); ++i) {
      samples[i] = static_cast<short>(static_cast<uint16_t>(
          static_cast<uint8_t>(pcm[2 * i]) | (static_cast<uint8_t>(pcm[2 * i + 1]) << 8)));
    }
    const int frames = static_cast<int>(count);
    mp3.resize(static_cast<size_t>(frames) * 5 / 4 + 7200);
    const int n = channels_ == 2
                      ? lame_encode_buffer_interleaved(l, samples.data(), frames, mp3.data(),
                                                       static_cast<int>(mp3.size()))
                      : lame_encode_buffer(l, samples.data(), samples.data(), frames, mp3.data(),
                                           static_cast<int>(mp3.size()));
    if (n < 0) return false;
    out.assign(reinterpret_cast<const char*>(mp3.data()), static_cast<size_t>(n));
  }
  return true;
}

#else  // built without LAME

bool mp3_available() { return false; }

struct Mp3Chunks::Encoder {};

Mp3Chunks::Mp3Chunks(RecordingAudio audio, int channels)
    : audio_(std::move(audio)), channels_(channels) {}

Mp3Chunks::~Mp3Chunks() = default;

bool Mp3Chunks::next(std::string& out) {
  out.clear();
  (void)kFramesPerPiece;
  return false;
}

#endif

}  // namespace dialtone::core::media
