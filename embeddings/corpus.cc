#include "embeddings/corpus.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/memory.h"
#include "embeddings/front_matter.h"

namespace seealso {
namespace fs = std::filesystem;

namespace {

struct LoadResult {
  std::optional<Article> article;
  LoadError error;
};

// Appends the whole file to `out`, grown by `size_hint` (its stat size) so one
// read() usually does: istreambuf_iterator went a byte at a time. Reads on to
// EOF in case the file grew since the stat. On failure `out` is as it was.
bool ReadFile(const fs::path& file, std::uintmax_t size_hint, std::string* out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const size_t start = out->size();
  // +1: EOF shows without a second resize.
  out->resize(start + static_cast<size_t>(size_hint) + 1);
  size_t got = start;
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
  out->resize(ok ? got : start);
  return ok;
}

// `file`'s path relative to `dir`, lexically (so a symlink is named by its
// own path, not its target's). A file found under `dir` has dir's path as a
// prefix, which is sliced off: lexically_relative allocates per component.
std::string RelativePath(const fs::path& dir, const fs::path& file) {
  const std::string& d = dir.native();
  const std::string& f = file.native();
  if (!d.empty() && f.size() > d.size() && f.compare(0, d.size(), d) == 0) {
    if (d.back() == '/') return f.substr(d.size());
    if (f[d.size()] == '/') return f.substr(d.size() + 1);
  }
  return file.lexically_relative(dir).generic_string();
}

// Appends one file to `text`; false with `error` set (and `text` as it was)
// if it cannot be loaded.
bool ReadOne(const fs::path& dir, const fs::path& file, const LoadOptions& options,
             std::string* text, LoadError* error) {
  auto fail = [&](absl::string_view reason) {
    // file.native() is dir / its relative path.
    *error = {RelativePath(dir, file), absl::StrCat(file.native(), ":1: ", reason)};
    return false;
  };
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return fail(ec.message());
  if (size > options.max_file_bytes) {
    return fail(absl::StrCat("file is ", size, " bytes, over the limit of ",
                             options.max_file_bytes));
  }
  if (!ReadFile(file, size, text)) return fail("cannot read file");
  return true;
}

// Whether `path` names an article file by its name: "*.md" (a name with a
// stem: ".md" alone is a hidden file), except README.md. String tests, where
// path::extension() and filename() each build a path.
bool IsArticleFile(absl::string_view path) {
  const size_t slash = path.rfind('/');
  const absl::string_view name = slash == absl::string_view::npos ? path : path.substr(slash + 1);
  return name.size() > 3 && absl::EndsWith(name, ".md") && name != "README.md";
}

// The order of fs::path's operator< for the paths a directory walk yields
// (one separator between components): element by element, which is the
// byte order with the separator below every other byte. On the bytes
// directly, as path::compare splits both paths into components per call:
// sorting a million paths took 2.8-2.9 s, now 0.9-1.0 s (docs/benchmarks.md,
// "Corpus loading").
bool PathLess(absl::string_view a, absl::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

// Parses one file's bytes.
LoadResult ParseOne(const fs::path& dir, const fs::path& file, absl::string_view text) {
  LoadResult r;
  absl::StatusOr<Article> article = ParseArticle(text, file.native());
  if (!article.ok()) {
    r.error = {RelativePath(dir, file), std::string(article.status().message())};
    return r;
  }
  article->path = RelativePath(dir, file);
  r.article = *std::move(article);
  return r;
}

// Consecutive files read by one reading thread and handed to a parsing
// thread whole. The buffers keep their capacity from chunk to chunk, up to
// kKeepBytes (a chunk of unusually large files is not kept at that size).
struct Chunk {
  static constexpr size_t kFiles = 32;
  static constexpr size_t kKeepBytes = size_t{1} << 20;
  size_t first = 0;  // index of the first file
  size_t count = 0;
  std::string bytes;                     // the files' contents, one after another
  std::array<size_t, kFiles + 1> end{};  // file k is bytes[end[k], end[k + 1])
  std::array<bool, kFiles> read{};       // false: loaded[first + k] holds its error
};

// Chunks between `readers` reading threads and the parsing threads: a free
// list and a ready queue under one lock, taken twice per chunk of files.
class ChunkQueue {
 public:
  ChunkQueue(size_t chunks, int readers) : chunks_(chunks), readers_(readers) {
    for (Chunk& c : chunks_) free_.push_back(&c);
  }
  Chunk* TakeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty(); });
    Chunk* c = free_.back();
    free_.pop_back();
    return c;
  }
  void GiveBack(Chunk* c) {
    if (c->bytes.capacity() > Chunk::kKeepBytes) std::string().swap(c->bytes);
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(c);
    }
    free_cv_.notify_one();
  }
  void Ready(Chunk* c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(c);
    }
    ready_cv_.notify_one();
  }
  // Called once by each reading thread when it has no more to read.
  void ReaderDone() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++readers_done_;
      if (readers_done_ < readers_) return;
    }
    ready_cv_.notify_all();
  }
  // The next ready chunk, or null once every reader is done and none is left.
  Chunk* TakeReady() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_cv_.wait(lock, [&] { return !ready_.empty() || readers_done_ == readers_; });
    if (ready_.empty()) return nullptr;
    Chunk* c = ready_.front();
    ready_.pop_front();
    return c;
  }

 private:
  std::vector<Chunk> chunks_;
  const int readers_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::condition_variable ready_cv_;
  std::vector<Chunk*> free_;
  std::deque<Chunk*> ready_;
  int readers_done_ = 0;
};

}  // namespace

absl::StatusOr<Corpus> LoadCorpus(const fs::path& dir, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir.string(), ": not a directory"));
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (IsArticleFile(it->path().native()) && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));
  // Every path found starts with the directory's own spelling: compare what follows.
  const size_t common = dir.native().size();
  std::sort(files.begin(), files.end(), [common](const fs::path& a, const fs::path& b) {
    return PathLess(absl::string_view(a.native()).substr(common),
                    absl::string_view(b.native()).substr(common));
  });
  if (options.listed) options.listed(files.size());

  // Each file loads independently and its result lands at its index, so the
  // outcome does not depend on the thread counts. Reading from a cold page
  // cache waits on the disk, one request per reading thread, so many threads
  // read, allocating nothing per file; they hand chunks of consecutive files
  // to the parsing threads (see LoadOptions::parse_threads).
  std::vector<LoadResult> loaded(files.size());
  const int readers = std::max(
      1, std::min(options.threads > 0
                      ? options.threads
                      : std::max(kDefaultLoadThreads,
                                 2 * static_cast<int>(std::thread::hardware_concurrency())),
                  static_cast<int>(files.size() / 64 + 1)));
  std::atomic<size_t> done{0};
  auto count_done = [&](bool reports_progress) {
    const size_t n = ++done;
    if (reports_progress && options.progress && (n % 4096 == 0)) options.progress(n, files.size());
  };
  if (readers == 1) {
    std::string text;
    for (size_t i = 0; i < files.size(); ++i) {
      text.clear();
      if (ReadOne(dir, files[i], options, &text, &loaded[i].error)) {
        loaded[i] = ParseOne(dir, files[i], text);
      }
      count_done(true);
    }
  } else {
    const int parsers = std::clamp(options.parse_threads > 0 ? options.parse_threads
                                   : OneMallocArena()
                                       ? 1
                                       : static_cast<int>(std::thread::hardware_concurrency()),
                                   1, readers);
    ChunkQueue queue(2 * static_cast<size_t>(readers), readers);
    std::atomic<size_t> next{0};
    auto read = [&] {
      for (size_t first; (first = next.fetch_add(Chunk::kFiles)) < files.size();) {
        Chunk* c = queue.TakeFree();
        c->first = first;
        c->count = std::min(Chunk::kFiles, files.size() - first);
        c->bytes.clear();
        for (size_t k = 0; k < c->count; ++k) {
          c->end[k] = c->bytes.size();
          c->read[k] = ReadOne(dir, files[first + k], options, &c->bytes, &loaded[first + k].error);
        }
        c->end[c->count] = c->bytes.size();
        queue.Ready(c);
      }
      queue.ReaderDone();
    };
    auto parse = [&](bool reports_progress) {
      while (Chunk* c = queue.TakeReady()) {
        for (size_t k = 0; k < c->count; ++k) {
          const size_t i = c->first + k;
          if (c->read[k]) {
            loaded[i] = ParseOne(dir, files[i],
                                 absl::string_view(c->bytes).substr(c->end[k],
                                                                    c->end[k + 1] - c->end[k]));
          }
          count_done(reports_progress);
        }
        queue.GiveBack(c);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < readers; ++t) pool.emplace_back(read);
    for (int t = 1; t < parsers; ++t) pool.emplace_back(parse, false);
    parse(true);
    for (std::thread& th : pool) th.join();
  }
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
