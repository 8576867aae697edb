// Generated corpora for tests, parsed as a corpus load would parse them.
#ifndef SEEALSO_TESTS_GENERATED_ARTICLES_H_
#define SEEALSO_TESTS_GENERATED_ARTICLES_H_

#include <vector>

#include "embeddings/article.h"
#include "embeddings/front_matter.h"
#include "gen/generator.h"
#include "gtest/gtest.h"

namespace seealso::testing_util {

// The options.n articles `seealso gen` would write with `options`; a file
// that does not parse fails the calling test and is left out.
inline std::vector<Article> GeneratedArticles(const GeneratorOptions& options) {
  const CorpusGenerator gen(options);
  std::vector<Article> articles;
  for (int64_t i = 0; i < options.n; ++i) {
    const GeneratedArticle g = gen.Article(i);
    absl::StatusOr<Article> a = ParseArticle(g.text, g.path);
    if (!a.ok()) {
      ADD_FAILURE() << a.status();
      continue;
    }
    articles.push_back(*std::move(a));
  }
  return articles;
}

}  // namespace seealso::testing_util

#endif  // SEEALSO_TESTS_GENERATED_ARTICLES_H_
