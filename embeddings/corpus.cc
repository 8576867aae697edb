#include "embeddings/corpus.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "embeddings/front_matter.h"

namespace seealso {
namespace fs = std::filesystem;

namespace {

struct LoadResult {
  std::optional<Article> article;
  LoadError error;
};

// Reads the whole file into `out`, sized from `size_hint` (its stat size) so one
// read() usually does: istreambuf_iterator went a byte at a time. Reads on to
// EOF in case the file grew since the stat.
bool ReadFile(const fs::path& file, std::uintmax_t size_hint, std::string* out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->resize(static_cast<size_t>(size_hint) + 1);  // +1: EOF shows without a second resize
  size_t got = 0;
  bool ok = true;
  while (true) {
    if (got == out->size()) out->resize(out->size() * 2);
    const ssize_t n = ::read(fd, out->data() + got, out->size() - got);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      ok = false;
      break;
    }
  }
  ::close(fd);
  out->resize(got);
  return ok;
}

// Reads and parses one file; fills `article`, or `error` with why not.
LoadResult LoadOne(const fs::path& dir, const fs::path& file, const LoadOptions& options) {
  LoadResult r;
  // Lexical, so a symlink is named by its own path, not its target's.
  const std::string rel = file.lexically_relative(dir).generic_string();
  const std::string shown = (dir / rel).string();
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) {
    r.error = {rel, absl::StrCat(shown, ":1: ", ec.message())};
    return r;
  }
  if (size > options.max_file_bytes) {
    r.error = {rel, absl::StrCat(shown, ":1: file is ", size, " bytes, over the limit of ",
                                 options.max_file_bytes)};
    return r;
  }
  std::string text;
  if (!ReadFile(file, size, &text)) {
    r.error = {rel, absl::StrCat(shown, ":1: cannot read file")};
    return r;
  }
  absl::StatusOr<Article> article = ParseArticle(text, shown);
  if (!article.ok()) {
    r.error = {rel, std::string(article.status().message())};
    return r;
  }
  article->path = rel;
  r.article = *std::move(article);
  return r;
}

}  // namespace

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

  // Each file loads independently: workers take the next file, and results
  // land in file order, so the outcome does not depend on the thread count.
  std::vector<LoadResult> loaded(files.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  auto work = [&](bool reports_progress) {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      loaded[i] = LoadOne(dir, files[i], options);
      const size_t n = ++done;
      if (reports_progress && options.progress && (n % 4096 == 0)) options.progress(n, files.size());
    }
  };
  const int threads = std::max(
      1, std::min(options.threads > 0
                      ? options.threads
                      : std::max(kDefaultLoadThreads,
                                 2 * static_cast<int>(std::thread::hardware_concurrency())),
                  static_cast<int>(files.size() / 64 + 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, false);
  work(true);
  for (std::thread& th : pool) th.join();
  if (options.progress) options.progress(files.size(), files.size());

  Corpus corpus;
  corpus.articles.reserve(files.size());
  for (LoadResult& l : loaded) {
    if (l.article) {
      corpus.articles.push_back(*std::move(l.article));
    } else {
      corpus.skipped.push_back(std::move(l.error));
    }
  }
  loaded.clear();

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
