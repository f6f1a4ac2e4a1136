// A vector stored in fixed-size segments (64 KiB unless told), which never moves its elements
// when it grows.
// Why: the engine's timer heap and its per-account lists of calls grow to a million entries,
// and they grow with the engine lock held. A std::vector doubles by copying every element into
// fresh memory, and fresh memory costs a page fault per 4 KiB (~12 us on these VMs): at 524k
// calls one push_back held the lock for 7 ms, with 16 MiB of timers and 4 MiB of call pointers
// to copy. Here a push_back at most adds one segment; the directory of segments still doubles,
// but it holds one pointer per segment.
// An index goes to its segment by shift and mask (the segment size is a power of two), so the
// random-access iterator the heap algorithms walk costs one load more than a pointer's.
// A non-empty vector holds at least one segment: where there are many small ones (a list per
// account), pick small segments.
// Thread-safety: none.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace dialtone::core {

template <class T, size_t kSegmentBytes = 64 * 1024>
class SegmentedVector {
  static constexpr size_t kPerSegment =
      std::bit_floor(std::max<size_t>(1, kSegmentBytes / sizeof(T)));
  static constexpr size_t kShift = std::countr_zero(kPerSegment);
  static constexpr size_t kMask = kPerSegment - 1;

 public:
  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const T*, T*>;
    using reference = std::conditional_t<kConst, const T&, T&>;
    using Owner = std::conditional_t<kConst, const SegmentedVector, SegmentedVector>;

    Iter() = default;
    Iter(Owner* v, difference_type i) : v_(v), i_(i) {}
    operator Iter<true>() const  // NOLINT: implicit, like T* to const T*
      requires(!kConst)
    {
      return Iter<true>(v_, i_);
    }

    reference operator*() const { return (*v_)[static_cast<size_t>(i_)]; }
    pointer operator->() const { return &**this; }
    reference operator[](difference_type n) const { return (*v_)[static_cast<size_t>(i_ + n)]; }
    Iter& operator++() { ++i_; return *this; }
    Iter& operator--() { --i_; return *this; }
    Iter operator++(int) { Iter t = *this; ++i_; return t; }
    Iter operator--(int) { Iter t = *this; --i_; return t; }
    Iter& operator+=(difference_type n) { i_ += n; return *this; }
    Iter& operator-=(difference_type n) { i_ -= n; return *this; }
    friend Iter operator+(Iter a, difference_type n) { return a += n; }
    friend Iter operator+(difference_type n, Iter a) { return a += n; }
    friend Iter operator-(Iter a, difference_type n) { return a -= n; }
    friend difference_type operator-(const Iter& a, const Iter& b) { return a.i_ - b.i_; }
    friend bool operator==(const Iter& a, const Iter& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const Iter& a, const Iter& b) { return a.i_ <=> b.i_; }

   private:
    Owner* v_ = nullptr;
    difference_type i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;
  using value_type = T;

  SegmentedVector() = default;
  SegmentedVector(SegmentedVector&& o) noexcept
      : segments_(std::move(o.segments_)), size_(std::exchange(o.size_, 0)) {}
  SegmentedVector& operator=(SegmentedVector&& o) noexcept {
    if (this != &o) {
      clear();
      segments_ = std::move(o.segments_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  SegmentedVector(const SegmentedVector&) = delete;
  SegmentedVector& operator=(const SegmentedVector&) = delete;
  ~SegmentedVector() { clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return segments_[i >> kShift][i & kMask]; }
  const T& operator[](size_t i) const { return segments_[i >> kShift][i & kMask]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, static_cast<std::ptrdiff_t>(size_)}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, static_cast<std::ptrdiff_t>(size_)}; }

  void push_back(T value) {
    if ((size_ >> kShift) == segments_.size()) segments_.emplace_back(allocate());
    std::construct_at(&segments_[size_ >> kShift][size_ & kMask], std::move(value));
    ++size_;
  }
  void pop_back() {
    --size_;
    std::destroy_at(&(*this)[size_]);
    release_unused();
  }
  void clear() {
    while (size_ > 0) std::destroy_at(&(*this)[--size_]);
    segments_.clear();
  }

  // Removes every element for which pred is true, keeping the others in order; returns how
  // many went. (std::erase_if has no overload for this container.)
  template <class Pred>
  size_t erase_if(Pred pred) {
    size_t kept = 0;
    for (size_t i = 0; i < size_; ++i) {
      T& x = (*this)[i];
      if (pred(x)) continue;
      if (kept != i) (*this)[kept] = std::move(x);
      ++kept;
    }
    const size_t removed = size_ - kept;
    while (size_ > kept) std::destroy_at(&(*this)[--size_]);
    release_unused();
    return removed;
  }
  size_t erase(const T& value) {
    return erase_if([&](const T& x) { return x == value; });
  }

 private:
  struct Free {
    void operator()(T* p) const { ::operator delete(p, std::align_val_t(alignof(T))); }
  };
  using Segment = std::unique_ptr<T[], Free>;

  // Raw storage: an element is constructed when it is pushed, so a new segment's pages are
  // touched one at a time as it fills, not all at once.
  static Segment allocate() {
    void* p = ::operator new(kPerSegment * sizeof(T), std::align_val_t(alignof(T)));
    return Segment(static_cast<T*>(p));
  }
  // Keeps one spare segment past the last used one, so that a size going back and forth across
  // a segment boundary (a heap popping and pushing) does not allocate each time.
  void release_unused() {
    const size_t needed = (size_ + kMask) >> kShift;
    while (segments_.size() > needed + 1) segments_.pop_back();
  }

  std::vector<Segment> segments_;
  size_t size_ = 0;
};

}  // namespace dialtone::core
