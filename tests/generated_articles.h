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

// Makes every `every`-th article name another's title in its answer (a
// different article each, chosen deterministically), so that the corpus has
// title mentions (embeddings/mentions.h) to rank by.
inline void PlantMentions(std::vector<Article>* articles, size_t every = 7) {
  const size_t n = articles->size();
  for (size_t i = 0; n > 1 && i < n; i += every) {
    const size_t named = (i * 13 + 5) % n == i ? (i + 1) % n : (i * 13 + 5) % n;
    (*articles)[i].answer += " As in " + (*articles)[named].title + " too.";
  }
}

}  // namespace seealso::testing_util

#endif  // SEEALSO_TESTS_GENERATED_ARTICLES_H_
