// Parsing one article file: YAML front matter between `---` lines.
#ifndef SEEALSO_EMBEDDINGS_FRONT_MATTER_H_
#define SEEALSO_EMBEDDINGS_FRONT_MATTER_H_

#include "absl/strings/string_view.h"

#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "embeddings/article.h"

namespace seealso {

// Parses the text of one article file. `path` is only used in messages and
// copied into Article::path. Errors are INVALID_ARGUMENT with a message of the
// form "path:line: reason" (line 1-based, in the file): no front matter,
// malformed YAML, invalid UTF-8, a missing or non-integer `id`.
// Literal two-character "\n" sequences (an export artifact in folded scalars)
// become spaces in the text fields.
// The YAML is read with libyaml; as with yaml-cpp before, only the first
// document counts, plain `~`/`null`/empty values are absent, the first of
// duplicate keys wins, and control characters in values are kept as text.
absl::StatusOr<Article> ParseArticle(absl::string_view text, absl::string_view path);

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_FRONT_MATTER_H_
