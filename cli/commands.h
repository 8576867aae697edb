// Subcommands of the `seealso` binary. Each returns the process exit status:
// 0 success, 1 a failure of the operation (e.g. unknown id), 2 bad usage or input.
#ifndef SEEALSO_CLI_COMMANDS_H_
#define SEEALSO_CLI_COMMANDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "config/config.h"
#include "embeddings/article.h"
#include "embeddings/corpus.h"
#include "scoring/related_index.h"

ABSL_DECLARE_FLAG(std::string, config);
ABSL_DECLARE_FLAG(std::string, corpus);
ABSL_DECLARE_FLAG(std::string, index);
ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, server);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(int64_t, id);
ABSL_DECLARE_FLAG(int, k);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(int, threads);
ABSL_DECLARE_FLAG(bool, lists);
ABSL_DECLARE_FLAG(std::string, shard);
ABSL_DECLARE_FLAG(int64_t, max_file_bytes);
ABSL_DECLARE_FLAG(bool, dry_run);
ABSL_DECLARE_FLAG(bool, check);
ABSL_DECLARE_FLAG(int, jobs);

namespace seealso::cli {

int Serve();
int Query();
int Links();
int Index();
int Gen();
int Regen();
int Eval();

// Names (underscored) of the flags given on this command line; settings that
// also live in the config file take the flag only when it was given.
absl::flat_hash_set<std::string>& GivenFlags();

// LoadOptions from --max-file-bytes.
absl::StatusOr<LoadOptions> LoadOptionsFromFlags();

// --shard I/N.
struct Shard {
  int index = 0;
  int count = 1;
};
absl::StatusOr<Shard> ShardFromFlags();

// The --config file, or the defaults when none is given.
absl::StatusOr<Config> ConfigFromFlags();

// Loads the articles of --corpus; reports skipped files on stderr.
absl::StatusOr<std::vector<Article>> LoadArticlesFromFlags();

// Loads the snapshot of --index (reporting load time on stderr, and a warning
// if --config's embedding settings differ from the snapshot's, which win), or
// loads --corpus and builds the index as `config` says for `use`, reporting
// skipped files on stderr.
absl::StatusOr<std::shared_ptr<const RelatedIndex>> LoadIndexFromFlags(
    const Config& config, RelatedIndex::Use use = RelatedIndex::Use::kServe);

// Prints "seealso <command>: <message>" on stderr.
void PrintError(absl::string_view command, absl::string_view message);

}  // namespace seealso::cli

#endif  // SEEALSO_CLI_COMMANDS_H_
