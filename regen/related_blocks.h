// Rewriting the related_articleN blocks of one article file, and nothing else.
#ifndef SEEALSO_REGEN_RELATED_BLOCKS_H_
#define SEEALSO_REGEN_RELATED_BLOCKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "embeddings/article.h"

namespace seealso {

// Returns `text` (the bytes of one article file) with every top-level
// `related_articleN` block of its front matter replaced by `links`, numbered
// from 1. Every other byte is kept: other keys and their order, comments,
// blank lines, the body, BOM, line endings, a missing final newline.
// The new blocks go where the first old block was, else right after the
// top-level `score` entry, else just before the closing `---`. They follow
// the style of the file's first old block (line ending, indentation, `>-`
// folded titles or not), defaulting to the example article's style.
// Fails with INVALID_ARGUMENT ("path:line: reason", `path` only used in
// messages) if `text` is not a valid article, or if the result would not read
// back as exactly `links` with every other field unchanged: the caller must
// then leave the file alone.
absl::StatusOr<std::string> RewriteRelatedBlocks(absl::string_view text,
                                                 const std::vector<RelatedLink>& links,
                                                 absl::string_view path);

}  // namespace seealso

#endif  // SEEALSO_REGEN_RELATED_BLOCKS_H_
