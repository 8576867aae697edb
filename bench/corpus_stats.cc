// Shape of a corpus's TF-IDF matrix, which sets the cost of all-pairs
// scoring: row lengths, document frequencies and the sum of df^2 (the
// multiply-adds of exact term-at-a-time scoring).
//
//   bench/corpus_stats CORPUS_DIR
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "embeddings/corpus.h"
#include "scoring/related_index.h"

using namespace seealso;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  absl::StatusOr<Corpus> corpus = LoadCorpus(argv[1]);
  if (!corpus.ok()) {
    std::fprintf(stderr, "%s\n", std::string(corpus.status().message()).c_str());
    return 1;
  }
  auto index = RelatedIndex::Build(std::move(corpus->articles));
  const SparseMatrixView m = index->embeddings().matrix();
  const auto& terms = index->embeddings().terms();
  std::vector<int64_t> df(m.cols(), 0);
  for (int64_t k = 0; k < m.nonZeros(); ++k) ++df[m.innerIndexPtr()[k]];
  double sum_df2 = 0;
  for (int64_t d : df) sum_df2 += static_cast<double>(d) * static_cast<double>(d);
  std::printf("%d articles, %zu terms, %lld nonzeros (%.1f per row), sum df^2 = %.3g (%.0f per row)\n",
              index->size(), terms.size(), static_cast<long long>(m.nonZeros()),
              static_cast<double>(m.nonZeros()) / index->size(), sum_df2, sum_df2 / index->size());
  std::vector<int32_t> order(m.cols());
  for (int32_t j = 0; j < m.cols(); ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return df[a] > df[b]; });
  double cum = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    cum += static_cast<double>(df[order[i]]) * static_cast<double>(df[order[i]]);
    if (i < 10 || i == 49 || i == 99 || i == 499 || i == 999) {
      std::printf("  #%zu %-24s df %lld (%.1f%%)  cum share of df^2 %.1f%%\n", i + 1,
                  std::string(terms[order[i]]).c_str(), static_cast<long long>(df[order[i]]),
                  100.0 * df[order[i]] / index->size(), 100.0 * cum / sum_df2);
    }
  }
  return 0;
}
