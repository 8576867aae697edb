// An immutable array that either owns its elements or borrows them from
// memory someone else keeps alive (a memory-mapped snapshot file).
#ifndef SEEALSO_COMMON_FROZEN_ARRAY_H_
#define SEEALSO_COMMON_FROZEN_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace seealso {

// Copies share the elements (they never change), so copying is cheap and a
// copy stays valid after the original is gone. A borrowed array keeps its
// owner (e.g. the file mapping) alive; which kind an array is does not show
// in its interface, so loaded and freshly built models are used alike.
template <typename T>
class FrozenArray {
 public:
  FrozenArray() = default;
  // Takes ownership of `elements`.
  explicit FrozenArray(std::vector<T> elements) { *this = Own(std::move(elements)); }

  // Takes ownership of a contiguous container (std::vector, std::string, ...)
  // whose data() points at T.
  template <typename Container>
  static FrozenArray Own(Container&& elements) {
    auto owner = std::make_shared<std::decay_t<Container>>(std::forward<Container>(elements));
    FrozenArray a;
    a.span_ = absl::Span<const T>(owner->data(), owner->size());
    a.owner_ = std::move(owner);
    return a;
  }
  // Borrows `elements`, which stay valid while `owner` lives.
  static FrozenArray Borrow(absl::Span<const T> elements, std::shared_ptr<const void> owner) {
    FrozenArray a;
    a.span_ = elements;
    a.owner_ = std::move(owner);
    return a;
  }
  // Borrows raw `bytes` (e.g. a section of a mapped file, valid while `owner`
  // lives) as an array of T; nullopt unless they are a whole number of Ts
  // and start on a T boundary.
  static std::optional<FrozenArray> BorrowBytes(absl::string_view bytes,
                                                std::shared_ptr<const void> owner) {
    if (bytes.size() % sizeof(T) != 0 ||
        reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(T) != 0) {
      return std::nullopt;
    }
    return Borrow(absl::Span<const T>(reinterpret_cast<const T*>(bytes.data()),
                                      bytes.size() / sizeof(T)),
                  std::move(owner));
  }

  size_t size() const { return span_.size(); }
  bool empty() const { return span_.empty(); }
  const T* data() const { return span_.data(); }
  const T& operator[](size_t i) const { return span_[i]; }
  const T& back() const { return span_.back(); }
  const T* begin() const { return span_.data(); }
  const T* end() const { return span_.data() + span_.size(); }
  absl::Span<const T> span() const { return span_; }
  // The elements' bytes, as a file stores them.
  absl::string_view bytes() const {
    return {reinterpret_cast<const char*>(span_.data()), span_.size() * sizeof(T)};
  }

 private:
  std::shared_ptr<const void> owner_;
  absl::Span<const T> span_;
};

}  // namespace seealso

#endif  // SEEALSO_COMMON_FROZEN_ARRAY_H_
