// Text analysis: turns article text into index terms.
#ifndef SEEALSO_EMBEDDINGS_ANALYZER_H_
#define SEEALSO_EMBEDDINGS_ANALYZER_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace seealso {

struct AnalyzerOptions {
  // Drop common English function words ("the", "of", ...).
  bool remove_stopwords = true;
};

// Stateless and thread-safe: one Analyzer may serve all threads.
class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options = {});

  // Appends the terms of `text`, in order of appearance, to `terms`.
  void Analyze(absl::string_view text, std::vector<std::string>* terms) const;

  const AnalyzerOptions& options() const { return options_; }

 private:
  AnalyzerOptions options_;
};

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_ANALYZER_H_
