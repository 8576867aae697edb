#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "absl/strings/str_cat.h"
#include "scoring/index_snapshot.h"

namespace seealso::cli {

int Index() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    PrintError("index", "--out is required");
    return 2;
  }
  absl::StatusOr<Config> config = ConfigFromFlags();
  if (!config.ok()) {
    PrintError("index", config.status().message());
    return 2;
  }
  absl::StatusOr<std::vector<Article>> articles = LoadArticlesFromFlags();
  if (!articles.ok()) {
    PrintError("index", articles.status().message());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const size_t count = articles->size();
  // The search structures too, so that loading the snapshot rebuilds nothing.
  const std::unique_ptr<const RelatedIndex> index =
      RelatedIndex::Build(*std::move(articles), config->embedding);
  const Embeddings& embeddings = index->embeddings();
  std::optional<PrecomputedLists> lists;
  if (absl::GetFlag(FLAGS_lists)) {
    // What the server ranks for a request that sets no option (its Options()).
    RankOptions options = config->ranking;
    options.k = absl::GetFlag(FLAGS_k) > 0 ? absl::GetFlag(FLAGS_k) : config->server.default_k;
    lists = PrecomputeLists(*index, options, absl::GetFlag(FLAGS_threads));
  }
  const auto built = std::chrono::steady_clock::now();
  if (absl::Status s = WriteIndexSnapshot(out, *index, lists ? &*lists : nullptr); !s.ok()) {
    PrintError("index", s.message());
    return 1;
  }
  const auto written = std::chrono::steady_clock::now();
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(out, ec);
  std::fprintf(stderr,
               "seealso index: wrote %s: %zu articles, %zu terms, %lld non-zeros, %s%llu bytes; "
               "indexed in %.2f s, written in %.2f s\n",
               out.c_str(), count, embeddings.terms().size(),
               static_cast<long long>(embeddings.matrix().nonZeros()),
               lists ? absl::StrCat("lists for k = ", lists->options.k, ", ").c_str() : "",
               static_cast<unsigned long long>(ec ? 0 : bytes),
               std::chrono::duration<double>(built - start).count(),
               std::chrono::duration<double>(written - built).count());
  return 0;
}

}  // namespace seealso::cli
