// Google Benchmark micro-benchmarks of the engine's inner loops, on a
// deterministic generated corpus built in memory (no files):
//
//   build-bench/bench/micro_bench [--benchmark_filter=REGEX]
//
// End-to-end figures (files to TSV, against scikit-learn, at scale) are in
// bench/compare_sklearn.sh and bench/scale.sh; these isolate one step each.
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "embeddings/analyzer.h"
#include "embeddings/front_matter.h"
#include "embeddings/mentions.h"
#include "embeddings/tfidf.h"
#include "gen/generator.h"
#include "scoring/related_index.h"
#include "scoring/similarity.h"

namespace seealso {
namespace {

// A generated corpus of n articles, parsed once per size and kept.
const std::vector<Article>& Articles(int64_t n) {
  static auto* cache = new std::vector<std::pair<int64_t, std::vector<Article>>>;
  for (const auto& [size, articles] : *cache) {
    if (size == n) return articles;
  }
  GeneratorOptions o;
  o.n = n;
  o.seed = 1;
  const CorpusGenerator gen(o);
  std::vector<Article> articles;
  for (int64_t i = 0; i < n; ++i) {
    const GeneratedArticle g = gen.Article(i);
    articles.push_back(*ParseArticle(g.text, g.path));
  }
  cache->emplace_back(n, std::move(articles));
  return cache->back().second;
}

const RelatedIndex& Index(int64_t n) {
  static auto* cache = new std::vector<std::pair<int64_t, std::unique_ptr<const RelatedIndex>>>;
  for (const auto& [size, index] : *cache) {
    if (size == n) return *index;
  }
  cache->emplace_back(n, RelatedIndex::Build(Articles(n)));
  return *cache->back().second;
}

// Analysis of one answer field (~250 words): normalise, tokenise, stem, bigrams.
void BM_AnalyzeAnswer(benchmark::State& state) {
  const std::vector<Article>& articles = Articles(1000);
  const Analyzer analyzer;
  std::vector<std::string> terms;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& text = articles[i++ % articles.size()].answer;
    terms.clear();
    analyzer.Analyze(text, &terms);
    benchmark::DoNotOptimize(terms.data());
    bytes += static_cast<int64_t>(text.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AnalyzeAnswer);

// The indexer's form of the same analysis: words and bigram flags, no bigram strings.
void BM_AnalyzeWordsAnswer(benchmark::State& state) {
  const std::vector<Article>& articles = Articles(1000);
  const Analyzer analyzer;
  std::vector<std::string> words;
  std::vector<uint8_t> joins;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& text = articles[i++ % articles.size()].answer;
    analyzer.AnalyzeWords(text, &words, &joins);
    benchmark::DoNotOptimize(words.data());
    bytes += static_cast<int64_t>(text.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AnalyzeWordsAnswer);

// Parsing one article file's front matter.
void BM_ParseArticle(benchmark::State& state) {
  GeneratorOptions o;
  o.n = 100;
  const CorpusGenerator gen(o);
  std::vector<std::string> texts;
  for (int64_t i = 0; i < o.n; ++i) texts.push_back(gen.Article(i).text);
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& text = texts[i++ % texts.size()];
    benchmark::DoNotOptimize(ParseArticle(text, "a.md"));
    bytes += static_cast<int64_t>(text.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ParseArticle);

// Fitting the model: analysis on all cores, vocabulary merge, weighing.
void BM_EmbeddingsBuild(benchmark::State& state) {
  const std::vector<Article>& articles = Articles(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(Embeddings::Build(articles, {}));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EmbeddingsBuild)->Arg(2000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Finding title mentions (embeddings/mentions.h) over every question and
// answer, on all cores: the index phase's extra pass. Every 7th article names
// another's title, as in tests/generated_articles.h.
void BM_FindMentions(benchmark::State& state) {
  std::vector<Article> articles = Articles(state.range(0));
  for (size_t i = 0; i < articles.size(); i += 7) {
    articles[i].answer += " As in " + articles[(i * 13 + 5) % articles.size()].title + " too.";
  }
  int64_t bytes = 0;
  for (const Article& a : articles) {
    bytes += static_cast<int64_t>(a.question.size() + a.answer.size());
  }
  for (auto _ : state) benchmark::DoNotOptimize(Mentions::Find(articles, {}));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_FindMentions)->Arg(2000)->Arg(15000)->Unit(benchmark::kMillisecond);

// Term lookup for a draft: binary search over the sorted vocabulary.
void BM_VocabularyFind(benchmark::State& state) {
  const Vocabulary& terms = Index(10000).embeddings().terms();
  size_t j = 0;
  for (auto _ : state) {
    j = (j + 7919) % terms.size();
    benchmark::DoNotOptimize(terms.Find(terms[j]));
  }
}
BENCHMARK(BM_VocabularyFind);

// Exact candidates of one article (the banded bounds of ScoreTop), without dedup.
void BM_ScoreTop(benchmark::State& state) {
  const RelatedIndex& index = Index(state.range(0));
  const SparseMatrixView m = index.embeddings().matrix();
  const SimilarityIndex sim(m);
  ScoreAccumulator acc(index.size());
  int32_t doc = 0;
  for (auto _ : state) {
    doc = (doc + 101) % index.size();
    sim.ScoreTop(RowOf(m, doc), 29, &acc);
    acc.Clear();
  }
}
BENCHMARK(BM_ScoreTop)->Arg(2000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// One article's deduplicated top-10 with the default options (what links and
// GetRelated by id do per article).
void BM_TopK(benchmark::State& state) {
  const RelatedIndex& index = Index(state.range(0));
  RankOptions o;
  int32_t doc = 0;
  for (auto _ : state) {
    doc = (doc + 101) % index.size();
    benchmark::DoNotOptimize(index.TopK(doc, o));
  }
}
BENCHMARK(BM_TopK)->Arg(2000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// A draft's top-10: Embed (analysis + vocabulary lookups) and ranking.
void BM_DraftTopK(benchmark::State& state) {
  const RelatedIndex& index = Index(10000);
  const std::vector<Article>& articles = Articles(1000);
  RankOptions o;
  size_t i = 0;
  for (auto _ : state) {
    Article draft = articles[i++ % articles.size()];
    draft.answer.clear();  // a draft: title and question
    benchmark::DoNotOptimize(
        index.TopKForVector(index.embeddings().Embed(draft), draft.subject, o));
  }
}
BENCHMARK(BM_DraftTopK)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace seealso

BENCHMARK_MAIN();
