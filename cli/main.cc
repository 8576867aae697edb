// seealso: related-article recommendations. `seealso help` lists the commands.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "cli/commands.h"
#include "service/corpus_loader.h"

ABSL_FLAG(std::string, corpus, "", "directory of article *.md files (searched recursively)");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "serve: address to listen on, host:port");
ABSL_FLAG(std::string, server, "127.0.0.1:50051", "query: server address, host:port");
ABSL_FLAG(int64_t, id, 0, "query: article id");
ABSL_FLAG(int, k, 0, "number of related articles (default: 4 for query, 10 for links)");
ABSL_FLAG(std::string, out, "", "links: output file (default: stdout)");
ABSL_FLAG(int, threads, 0, "worker threads for batch ranking (0 = all cores)");

namespace {

constexpr char kUsage[] = R"(usage: seealso <command> [flags]

commands:
  serve  --corpus DIR [--listen 127.0.0.1:50051]
         build the index of DIR and serve the seealso.v1 gRPC API
  query  --server HOST:PORT --id ID [--k 4]
         ask a running server for the related articles of one article
  links  --corpus DIR [--k 10] [--out FILE]
         write every article's top-k as TSV: article_id, rank, related_id, score

Run 'seealso <command> --help' for every flag.)";

}  // namespace

namespace seealso::cli {

void PrintError(absl::string_view command, absl::string_view message) {
  std::fprintf(stderr, "seealso %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
}

absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromFlags() {
  const std::string dir = absl::GetFlag(FLAGS_corpus);
  if (dir.empty()) return absl::InvalidArgumentError("--corpus is required");
  return LoadIndexFromCorpus(dir, {}, [](const LoadError& e) {
    std::fprintf(stderr, "warning: skipped %s\n", e.message.c_str());
  });
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
  std::vector<char*> args = {argv[0]};
  args.insert(args.end(), argv + 2, argv + argc);
  std::vector<char*> positional = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() > 1) {
    seealso::cli::PrintError(command, std::string("unexpected argument '") + positional[1] + "'");
    return 2;
  }
  if (command == "serve") return seealso::cli::Serve();
  if (command == "query") return seealso::cli::Query();
  if (command == "links") return seealso::cli::Links();
  std::fprintf(stderr, "seealso: unknown command '%s'\n\n%s\n", command.c_str(), kUsage);
  return 2;
}
