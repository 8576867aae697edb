// The index a server answers from, swappable while it serves: every call takes
// one Snapshot at its start and uses only that, so a reload never changes the
// data under a call in flight, and never blocks one.
#ifndef SEEALSO_SERVICE_INDEX_HOLDER_H_
#define SEEALSO_SERVICE_INDEX_HOLDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scoring/related_index.h"

namespace seealso {

// Which index answered a call.
struct SnapshotVersion {
  // 1 for the first index a holder installs, +1 per install after it.
  uint64_t generation = 0;
  // Content hash (16 hex digits), see IndexChecksum().
  std::string checksum;
};

// One loaded index with what the service needs beside it. Immutable.
struct Snapshot {
  std::shared_ptr<const RelatedIndex> index;
  SnapshotVersion version;
  // Where it came from (a corpus directory), for GetIndexInfo and logs.
  std::string source;
  absl::Time built_at;
  double build_seconds = 0;
  // CanonicalUrl() -> document; the lowest id wins when URLs collide. The
  // keys are views of `index`'s own canonical URLs.
  absl::flat_hash_map<absl::string_view, int32_t> doc_of_url;
};

// FNV-1a 64 over every article's id and URL and the TF-IDF matrix (shape,
// indices, values), as 16 hex digits. Deterministic across runs and machines
// of one endianness; equal corpora and options give equal checksums.
std::string IndexChecksum(const RelatedIndex& index);

// Builds an index from `source` (never empty). The one seam for new kinds of
// source: a corpus directory today, a binary snapshot file later.
using IndexLoader =
    std::function<absl::StatusOr<std::shared_ptr<const RelatedIndex>>(const std::string& source)>;

// Thread-safe.
class IndexHolder {
 public:
  // Empty until the first Reload() or Install(). `default_source` is what
  // Reload("") loads.
  IndexHolder(IndexLoader loader, std::string default_source);

  // The serving snapshot, or null before the first successful load. Cheap:
  // one shared_ptr copy under a short lock.
  std::shared_ptr<const Snapshot> Current() const;

  // Loads `source` ("" = the default) beside the serving snapshot and swaps it
  // in on success. On failure the serving snapshot is untouched and the
  // loader's error is returned, prefixed with the source. Reloads run one at
  // a time; readers are never blocked by one.
  absl::StatusOr<std::shared_ptr<const Snapshot>> Reload(const std::string& source = "");

  // Swaps in an index built elsewhere (tests, embedding programs).
  std::shared_ptr<const Snapshot> Install(std::shared_ptr<const RelatedIndex> index,
                                          std::string source, double build_seconds = 0);

  const std::string& default_source() const { return default_source_; }

 private:
  IndexLoader loader_;
  const std::string default_source_;
  std::mutex reload_mu_;  // one Reload at a time
  mutable std::mutex mu_;  // guards current_ and generation_
  std::shared_ptr<const Snapshot> current_;
  uint64_t generation_ = 0;
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_INDEX_HOLDER_H_
