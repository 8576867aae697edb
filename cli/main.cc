// seealso: related-article recommendations. `seealso help` lists the commands.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "cli/commands.h"
#include "common/memory.h"
#include "config/config.h"
#include "embeddings/corpus.h"
#include "service/corpus_loader.h"

ABSL_FLAG(std::string, config, "",
          "YAML configuration file (docs/configuration.md); default: built-in defaults");
ABSL_FLAG(std::string, corpus, "", "directory of article *.md files (searched recursively)");
ABSL_FLAG(std::string, index, "",
          "serve, links: index snapshot written by `seealso index`, instead of --corpus");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "serve: address to listen on, host:port");
ABSL_FLAG(std::string, server, "127.0.0.1:50051", "query: server address, host:port");
ABSL_FLAG(std::string, tls_cert, "",
          "serve: server certificate chain, PEM (enables TLS); query: client certificate chain, "
          "PEM, for a server that requires one (mTLS)");
ABSL_FLAG(std::string, tls_key, "", "serve: server private key, PEM; query: client private key");
ABSL_FLAG(int64_t, id, 0, "query: article id");
ABSL_FLAG(int, k, 0, "number of related articles (default: the server's default_k (4) for query, 4 for regen, 10 for links and eval)");
ABSL_FLAG(std::string, out, "",
          "links: output file (default: stdout); gen: output directory; index: snapshot file");
ABSL_FLAG(std::string, shard, "0/1",
          "links, regen: I/N computes only shard I (0-based) of N consecutive id ranges; the N "
          "outputs concatenated in order equal the unsharded output");
ABSL_FLAG(bool, lists, false,
          "index: also store every article's related list for requests with the configured "
          "scoring options and k = --k (default: server.default_k), so the server answers "
          "them by lookup");
ABSL_FLAG(int, threads, 0, "worker threads for batch ranking (0 = all cores)");
ABSL_FLAG(int64_t, max_file_bytes, 1 << 20, "article files larger than this are skipped");
ABSL_FLAG(bool, dry_run, false, "regen: print a unified diff of what would change, write nothing");
ABSL_FLAG(bool, check, false, "regen: write nothing; exit 1 listing the stale files");
ABSL_FLAG(int, jobs, 0, "regen: parallel jobs (0 = all cores)");

namespace {

constexpr char kUsage[] = R"(usage: seealso <command> [flags]

commands:
  serve  --corpus DIR | --index FILE [--listen 127.0.0.1:50051]
         build the index of DIR (or load a snapshot) and serve the seealso.v1 gRPC API
  query  --server HOST:PORT --id ID [--k 4] [--tls_ca FILE [--tls_cert FILE --tls_key FILE]]
         ask a running server for the related articles of one article (over TLS with --tls_ca)
  index  --corpus DIR --out FILE [--lists [--k K]]
         build the index of DIR and save it as a snapshot file for serve/links --index;
         --lists also stores each article's list for default requests (lookup serving)
  links  --corpus DIR | --index FILE [--k 10] [--out FILE] [--shard I/N]
         write every article's top-k as TSV: article_id, rank, related_id, score
  gen    --out DIR --n N [--seed S]
         write a deterministic synthetic corpus (articles/, qrels.tsv, dups.tsv)
  regen  --corpus DIR [--k 4] [--dry-run] [--check] [--jobs N] [--shard I/N]
         rewrite the related_articleN blocks of every article in place

  eval   --corpus DIR [--qrels FILE] [--dups FILE] [--k 10] [--links FILE]
         [--baseline existing|FILE] [--json] [--report FILE.html] [--sweep KEY=V1,V2,..]...
         judge the engine's lists (or a links TSV) against judgments and list hygiene

global flags:
  --config FILE  YAML configuration (analysis, field weights, tf-idf); see docs/configuration.md

Run 'seealso <command> --help' for every flag.)";

}  // namespace

namespace seealso::cli {

void PrintError(absl::string_view command, absl::string_view message) {
  std::fprintf(stderr, "seealso %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
}

absl::flat_hash_set<std::string>& GivenFlags() {
  static auto* const kGiven = new absl::flat_hash_set<std::string>();
  return *kGiven;
}

namespace {

// Batch commands (links, index, regen) read a whole corpus, free its text and
// keep the index. From this many files on they keep one malloc arena, which
// lets that memory go back (common/memory.h): with an arena per thread the
// 1M run peaked at 5,992 MiB against 5,792-5,859 MiB, near the 6 GiB target.
// Below, the arenas cost no measurable peak (100k: 682 against 691 MB; 300k:
// +2.3 %) and two threads can parse: the load took half the time (100k:
// 1.59 against 2.74 s). docs/benchmarks.md, "Corpus loading", session 11.
// Below, freed memory is also kept for reuse (KeepFreedMemory): fewer page
// faults, for a peak that matters only near the million.
constexpr size_t kOneArenaFiles = 500'000;
bool batch_command = false;

}  // namespace

absl::StatusOr<LoadOptions> LoadOptionsFromFlags() {
  const int64_t max_bytes = absl::GetFlag(FLAGS_max_file_bytes);
  if (max_bytes < 1) return absl::InvalidArgumentError("--max-file-bytes must be at least 1");
  LoadOptions options{.max_file_bytes = static_cast<std::uintmax_t>(max_bytes)};
  if (batch_command) {
    options.listed = [](size_t files) {
      if (files >= kOneArenaFiles) {
        UseOneMallocArena();
      } else {
        KeepFreedMemory();
      }
    };
  }
  return options;
}

absl::StatusOr<Shard> ShardFromFlags() {
  const std::string spec = absl::GetFlag(FLAGS_shard);
  Shard shard;
  const size_t slash = spec.find('/');
  if (slash == std::string::npos || !absl::SimpleAtoi(spec.substr(0, slash), &shard.index) ||
      !absl::SimpleAtoi(spec.substr(slash + 1), &shard.count) || shard.count < 1 ||
      shard.index < 0 || shard.index >= shard.count) {
    return absl::InvalidArgumentError("--shard must be I/N with 0 <= I < N, got '" + spec + "'");
  }
  return shard;
}

absl::StatusOr<Config> ConfigFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) return Config();
  return LoadConfig(path);
}

absl::StatusOr<std::vector<Article>> LoadArticlesFromFlags() {
  const std::string dir = absl::GetFlag(FLAGS_corpus);
  if (dir.empty()) return absl::InvalidArgumentError("--corpus is required");
  absl::StatusOr<LoadOptions> load = LoadOptionsFromFlags();
  if (!load.ok()) return load.status();
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (tty) {
    load->progress = [](size_t done, size_t total) {
      std::fprintf(stderr, "\rseealso: loading %zu/%zu files", done, total);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Corpus> corpus = LoadCorpus(dir, *load);
  // On a terminal: a progress line while loading, then the ingestion rate.
  if (tty) std::fputs("\r\033[K", stderr);
  if (!corpus.ok()) return corpus.status();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "seealso: loaded %zu articles from %s in %.2f s (%.0f articles/s)\n",
               corpus->articles.size(), dir.c_str(), secs,
               static_cast<double>(corpus->articles.size()) / std::max(secs, 1e-9));
  for (const LoadError& e : corpus->skipped) {
    std::fprintf(stderr, "warning: skipped %s\n", e.message.c_str());
  }
  if (corpus->articles.empty()) {
    return absl::InvalidArgumentError(dir + ": no articles found");
  }
  return std::move(corpus->articles);
}

absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromFlags(const Config& config,
                                                                        RelatedIndex::Use use) {
  const std::string snapshot = absl::GetFlag(FLAGS_index);
  if (!snapshot.empty()) {
    if (!absl::GetFlag(FLAGS_corpus).empty()) {
      return absl::InvalidArgumentError("give --index or --corpus, not both");
    }
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::shared_ptr<const RelatedIndex>> index = LoadIndexFromSnapshot(snapshot);
    if (!index.ok()) return index.status();
    if (!absl::GetFlag(FLAGS_config).empty() &&
        (*index)->embeddings().options() != config.embedding) {
      std::fprintf(stderr,
                   "warning: %s was built with other analysis/fields/tfidf settings than --config; "
                   "the snapshot's are used\n",
                   snapshot.c_str());
    }
    std::fprintf(stderr, "loaded %s: %d articles in %.2f s\n", snapshot.c_str(), (*index)->size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return index;
  }
  absl::StatusOr<std::vector<Article>> articles = LoadArticlesFromFlags();
  if (!articles.ok()) return articles.status();
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const RelatedIndex> index =
      RelatedIndex::Build(*std::move(articles), config.embedding, use, config.ranking.pruning);
  std::fprintf(stderr,
               "seealso: indexed %d articles (%lld terms, %lld title mentions) in %.2f s\n",
               index->size(), static_cast<long long>(index->embeddings().matrix().cols()),
               static_cast<long long>(index->mentions().pairs()),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return index;
}

}  // namespace seealso::cli

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0) {
    std::puts(kUsage);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  // Flags follow the command: parse argv without it.
  // Flags are documented with dashes (--dry-run); Abseil names them with underscores.
  std::vector<std::string> spelled(argv + 2, argv + argc);
  for (std::string& arg : spelled) {
    if (arg == "--") break;  // what follows is not a flag
    if (arg.rfind("--", 0) != 0) continue;
    std::replace(arg.begin() + 2, std::find(arg.begin(), arg.end(), '='), '-', '_');
    seealso::cli::GivenFlags().insert(arg.substr(2, arg.find('=') - 2));
  }
  std::vector<char*> args = {argv[0]};
  for (std::string& arg : spelled) args.push_back(arg.data());
  std::vector<char*> positional = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() > 1) {
    seealso::cli::PrintError(command, std::string("unexpected argument '") + positional[1] + "'");
    return 2;
  }
  // Batch commands choose their malloc arenas by the corpus's size, once its
  // files are listed (LoadOptionsFromFlags).
  seealso::cli::batch_command = command == "links" || command == "index" || command == "regen";
  if (command == "serve") return seealso::cli::Serve();
  if (command == "query") return seealso::cli::Query();
  if (command == "links") return seealso::cli::Links();
  if (command == "index") return seealso::cli::Index();
  if (command == "gen") return seealso::cli::Gen();
  if (command == "regen") return seealso::cli::Regen();
  if (command == "eval") return seealso::cli::Eval();
  std::fprintf(stderr, "seealso: unknown command '%s'\n\n%s\n", command.c_str(), kUsage);
  return 2;
}
