// The metadata of a corpus's articles, in a few flat arrays.
#ifndef SEEALSO_EMBEDDINGS_ARTICLE_TABLE_H_
#define SEEALSO_EMBEDDINGS_ARTICLE_TABLE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/frozen_array.h"
#include "common/string_column.h"
#include "embeddings/article.h"

namespace seealso {

// One article's metadata, as views into an ArticleTable: valid while the
// table (or a copy of it) lives.
struct ArticleMeta {
  int64_t id = 0;
  absl::string_view path;
  absl::string_view title;
  absl::string_view subject;
  absl::string_view url;
};

// What an index keeps of each article once its text is embedded: id, path,
// title, subject, url, and the ids its related_articleN blocks link to. Held
// as one array per field (StringColumn for text) rather than an Article of
// std::strings each: at a million articles that is ~0.5 GB less, and, as the
// metadata no longer sits in small heap blocks between the freed text, the
// text's memory can go back to the system. Copies share the arrays.
class ArticleTable {
 public:
  ArticleTable() = default;

  // The metadata of `articles` (their text is not read).
  static ArticleTable Of(const std::vector<Article>& articles);

  // From parts (e.g. a mapped snapshot's sections, borrowed): INVALID_ARGUMENT
  // unless every column has ids.size() strings. No related links.
  static absl::StatusOr<ArticleTable> FromParts(FrozenArray<int64_t> ids, StringColumn paths,
                                                StringColumn titles, StringColumn subjects,
                                                StringColumn urls);

  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  int64_t id(size_t i) const { return ids_[i]; }
  absl::string_view subject(size_t i) const { return subjects_[i]; }
  ArticleMeta operator[](size_t i) const {
    return {ids_[i], paths_[i], titles_[i], subjects_[i], urls_[i]};
  }
  // The ids article i's related_articleN blocks linked to when it was read,
  // in N order (empty for a table read from a snapshot, which keeps none).
  absl::Span<const int64_t> related_ids(size_t i) const;

  const FrozenArray<int64_t>& ids() const { return ids_; }
  const StringColumn& paths() const { return paths_; }
  const StringColumn& titles() const { return titles_; }
  const StringColumn& subjects() const { return subjects_; }
  const StringColumn& urls() const { return urls_; }

 private:
  FrozenArray<int64_t> ids_;
  StringColumn paths_;
  StringColumn titles_;
  StringColumn subjects_;
  StringColumn urls_;
  // related ids of article i: related_[related_start_[i], related_start_[i + 1]);
  // both empty when no article has any.
  FrozenArray<uint64_t> related_start_;
  FrozenArray<int64_t> related_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_ARTICLE_TABLE_H_
