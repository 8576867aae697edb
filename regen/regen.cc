#include "regen/regen.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "regen/related_blocks.h"
#include "regen/unified_diff.h"
#include "scoring/related_index.h"

namespace seealso {
namespace fs = std::filesystem;
namespace {

// What happened to one article file.
struct FileResult {
  std::string error;  // "path:line: reason" if the file was left alone
  bool write_failed = false;
  bool changed = false;
  std::string diff;
  int duplicate_links = 0;
  int self_links = 0;
};

absl::StatusOr<std::string> ReadFile(const fs::path& path, std::uintmax_t max_bytes,
                                     const std::string& shown) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(shown, ":1: ", ec.message()));
  if (size > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(shown, ":1: file is ", size, " bytes, over the limit of ", max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return absl::UnavailableError(shown + ":1: cannot read file");
  return text;
}

FileResult Process(const RelatedIndex& index, int32_t doc, const std::vector<Related>& top,
                   const fs::path& root, const RegenOptions& options) {
  FileResult r;
  const ArticleMeta article = index.article(doc);
  const std::string shown = (root / std::string(article.path)).string();
  // Write through symlinks (so they stay links), but only to files inside the corpus.
  std::error_code ec;
  const fs::path target = fs::canonical(root / std::string(article.path), ec);
  if (ec) {
    r.error = absl::StrCat(shown, ":1: ", ec.message());
    return r;
  }
  const fs::path inside = target.lexically_relative(root);
  if (inside.empty() || *inside.begin() == "..") {
    r.error = absl::StrCat(shown, ":1: symlink leads outside ", root.string(), "; not written");
    return r;
  }
  absl::StatusOr<std::string> old_text = ReadFile(target, options.load.max_file_bytes, shown);
  if (!old_text.ok()) {
    r.error = std::string(old_text.status().message());
    return r;
  }
  std::vector<RelatedLink> links;
  for (const Related& rel : top) {
    const ArticleMeta a = index.article(rel.doc);
    links.push_back({a.id, std::string(a.title), std::string(a.subject), std::string(a.url)});
  }
  absl::StatusOr<std::string> new_text = RewriteRelatedBlocks(*old_text, links, shown);
  if (!new_text.ok()) {
    r.error = std::string(new_text.status().message());
    return r;
  }
  if (*new_text == *old_text) return r;

  r.changed = true;
  absl::flat_hash_set<int64_t> seen;
  for (const int64_t id : index.articles().related_ids(static_cast<size_t>(doc))) {
    if (id == article.id) {
      ++r.self_links;
    } else if (!seen.insert(id).second) {
      ++r.duplicate_links;
    }
  }
  if (options.mode == RegenMode::kDryRun) {
    r.diff = UnifiedDiff(*old_text, *new_text, absl::StrCat("a/", article.path),
                         absl::StrCat("b/", article.path));
  } else if (options.mode == RegenMode::kWrite) {
    if (absl::Status s = WriteFileAtomically(target, *new_text); !s.ok()) {
      r.error = absl::StrCat(shown, ":1: ", s.message());
      r.write_failed = true;
    }
  }
  return r;
}

}  // namespace

absl::StatusOr<RegenSummary> Regen(const fs::path& dir, const RegenOptions& options) {
  if (options.k < 1) return absl::InvalidArgumentError("k must be at least 1");
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards) {
    return absl::InvalidArgumentError("shard must be in [0, shards)");
  }
  absl::StatusOr<Corpus> corpus = LoadCorpus(dir, options.load);
  if (!corpus.ok()) return corpus.status();
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));

  RegenSummary summary;
  std::vector<std::pair<std::string, std::string>> errors;  // (path, message)
  if (options.shard == 0) {
    summary.scanned = static_cast<int>(corpus->skipped.size());
    summary.skipped = static_cast<int>(corpus->skipped.size());
    for (const LoadError& e : corpus->skipped) errors.emplace_back(e.path, e.message);
  }

  std::vector<FileResult> results;
  std::unique_ptr<const RelatedIndex> index;
  if (!corpus->articles.empty()) {
    index = RelatedIndex::Build(std::move(corpus->articles), options.embedding,
                                RelatedIndex::Use::kBatch, options.ranking.pruning);
    RankOptions ranking = options.ranking;
    ranking.k = options.k;
    const auto [first, last] = ShardRange(index->size(), options.shard, options.shards);
    const auto lists = index->RangeTopK(first, last, ranking, options.jobs);
    const int total = last - first;
    summary.scanned += total;
    results.resize(static_cast<size_t>(total));
    std::atomic<int> next{0};
    std::mutex progress_mu;
    int done = 0;
    auto work = [&, first = first] {
      for (int i; (i = next.fetch_add(1)) < total;) {
        results[i] = Process(*index, first + i, lists[i], root, options);
        if (options.progress) {
          std::lock_guard<std::mutex> lock(progress_mu);
          options.progress(++done, total);
        }
      }
    };
    int jobs = options.jobs > 0 ? options.jobs
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    jobs = std::min(jobs, total);
    std::vector<std::thread> pool;
    for (int t = 1; t < jobs; ++t) pool.emplace_back(work);
    work();
    for (std::thread& th : pool) th.join();
  }

  // Report in path order, whatever order the ids gave.
  const int32_t first = index ? ShardRange(index->size(), options.shard, options.shards).first : 0;
  std::vector<int32_t> order(results.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = first + static_cast<int32_t>(i);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return index->article(a).path < index->article(b).path;
  });
  for (int32_t doc : order) {
    const FileResult& r = results[doc - first];
    const std::string path(index->article(doc).path);
    if (!r.error.empty()) {
      ++summary.skipped;
      summary.write_failures += r.write_failed;
      errors.emplace_back(path, r.error);
    } else if (r.changed) {
      ++summary.rewritten;
      summary.duplicate_links_removed += r.duplicate_links;
      summary.self_links_removed += r.self_links;
      summary.changed.push_back(path);
      summary.diff += r.diff;
    } else {
      ++summary.unchanged;
    }
  }
  std::sort(errors.begin(), errors.end());
  for (auto& [path, message] : errors) summary.errors.push_back(std::move(message));
  return summary;
}

}  // namespace seealso
