// A deterministic generator of synthetic article corpora, for benchmarks and
// quality checks at any size: Zipfian vocabulary, topic structure (so that
// neighbours are meaningful), realistic field lengths, subjects, a known share
// of planted near-duplicates, and judgments derived from the topics.
#ifndef SEEALSO_GEN_GENERATOR_H_
#define SEEALSO_GEN_GENERATOR_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace seealso {

struct GeneratorOptions {
  // Number of articles; ids are first_id .. first_id + n - 1.
  int64_t n = 1000;
  uint64_t seed = 1;
  int64_t first_id = 1;
  // Distinct words in the background vocabulary (Zipf-distributed).
  int32_t vocabulary = 50000;
  // Zipf exponent of the background word distribution.
  double zipf_s = 1.05;
  // Average number of articles per topic (topics = ceil(n / topic_size)).
  int32_t topic_size = 40;
  // Share of articles that are near copies of an earlier article.
  double near_duplicate_share = 0.02;
  // Articles with judgments in qrels.tsv (a deterministic sample; all if >= n).
  int64_t judged = 2000;
  // Files per subdirectory of articles/ (keeps directories small at 1M).
  int32_t files_per_dir = 1000;
  // Threads writing files (0 = hardware concurrency). Output is identical for any value.
  int threads = 0;
};

// The plan of one article, derived from (seed, index) alone.
struct GeneratedArticle {
  int64_t id = 0;
  int32_t topic = 0;
  // Index of the article this one nearly copies, or -1.
  int64_t copy_of = -1;
  // Relative path under the output directory, and the whole file text.
  std::string path;
  std::string text;
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(const GeneratorOptions& options);

  int64_t size() const { return options_.n; }
  int32_t topics() const { return topics_; }
  int32_t TopicOf(int64_t index) const;
  // The article at `index` in [0, n): same options, same bytes, always.
  GeneratedArticle Article(int64_t index) const;

  // Writes articles/NNNN/*.md, qrels.tsv (judged article, related id, grade:
  // 2 for a planted near copy, 1 for the same topic), dups.tsv (planted
  // near-copy pairs) and README.md into `dir`. `progress`, if set, is called
  // with the number of articles written so far, from one thread.
  absl::Status Write(const std::filesystem::path& dir,
                     const std::function<void(int64_t)>& progress = nullptr) const;

 private:
  std::string Word(int32_t rank) const;
  // The original an article copies (itself if it is not a planted copy).
  int64_t SourceOf(int64_t index) const;

  GeneratorOptions options_;
  int32_t topics_;
  // Cumulative Zipf distribution over the background vocabulary.
  std::vector<double> zipf_cdf_;
  std::vector<std::string> words_;
};

}  // namespace seealso

#endif  // SEEALSO_GEN_GENERATOR_H_
