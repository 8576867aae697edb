#include "embeddings/corpus.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "embeddings/front_matter.h"

namespace seealso {
namespace fs = std::filesystem;

absl::StatusOr<Corpus> LoadCorpus(const fs::path& dir, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir.string(), ": not a directory"));
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".md" && it->is_regular_file(ec) &&
        it->path().filename() != "README.md") {
      files.push_back(it->path());
    }
  }
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));
  std::sort(files.begin(), files.end());

  Corpus corpus;
  for (const fs::path& file : files) {
    // Lexical, so a symlink is named by its own path, not its target's.
    const std::string rel = file.lexically_relative(dir).generic_string();
    const std::string shown = (dir / rel).string();
    const std::uintmax_t size = fs::file_size(file, ec);
    if (ec) {
      corpus.skipped.push_back({rel, absl::StrCat(shown, ":1: ", ec.message())});
      continue;
    }
    if (size > options.max_file_bytes) {
      corpus.skipped.push_back({rel, absl::StrCat(shown, ":1: file is ", size,
                                                  " bytes, over the limit of ",
                                                  options.max_file_bytes)});
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      corpus.skipped.push_back({rel, absl::StrCat(shown, ":1: cannot read file")});
      continue;
    }
    absl::StatusOr<Article> article = ParseArticle(text, shown);
    if (!article.ok()) {
      corpus.skipped.push_back({rel, std::string(article.status().message())});
      continue;
    }
    article->path = rel;
    corpus.articles.push_back(*std::move(article));
  }

  std::sort(corpus.articles.begin(), corpus.articles.end(),
            [](const Article& a, const Article& b) { return a.id < b.id; });
  std::string duplicates;
  for (size_t i = 1; i < corpus.articles.size(); ++i) {
    if (corpus.articles[i].id == corpus.articles[i - 1].id) {
      absl::StrAppend(&duplicates, duplicates.empty() ? "" : "; ", "id ", corpus.articles[i].id,
                      " in both ", (dir / corpus.articles[i - 1].path).string(), " and ",
                      (dir / corpus.articles[i].path).string());
    }
  }
  if (!duplicates.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate article ids: ", duplicates));
  }
  return corpus;
}

}  // namespace seealso
