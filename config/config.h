// The configuration file (YAML, documented in docs/configuration.md): every
// tunable of the engine, in sections. Unknown keys are errors, so a typo never
// silently falls back to a default.
#ifndef SEEALSO_CONFIG_CONFIG_H_
#define SEEALSO_CONFIG_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "embeddings/tfidf.h"
#include "scoring/rank_options.h"

namespace seealso {

// Section `server`: what `seealso serve` listens on and allows. A --flag given
// on the command line wins over the file (cli/serve.cc).
struct ServerSettings {
  std::string listen = "127.0.0.1:50051";
  std::string admin_listen;
  std::string admin_token_file;
  std::string metrics_listen;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  int default_k = 4;
  int max_k = 100;
  int max_batch = 1000;
  int max_request_bytes = 1 << 20;
  int shutdown_drain_ms = 1000;
  int shutdown_grace_ms = 5000;
  int max_connection_age_ms = 300000;

  friend bool operator==(const ServerSettings&, const ServerSettings&) = default;
};

struct Config {
  // Sections `analysis`, `fields` and `tfidf`.
  EmbeddingOptions embedding;
  // Section `scoring`: the ranking defaults of every command and the server
  // (k itself comes from each command's --k or the request).
  RankOptions ranking;
  // Section `server`.
  ServerSettings server;

  friend bool operator==(const Config&, const Config&) = default;
};

// Parses the YAML `text`; keys left out keep their defaults, an empty text is
// the default Config. `path` is only used in messages. Errors are
// INVALID_ARGUMENT "path:line: reason": malformed YAML, an unknown section or
// key (named, with its section), a duplicate key, a value of the wrong type or
// out of range, or no field with a positive weight.
absl::StatusOr<Config> ParseConfig(absl::string_view text, absl::string_view path);

// Reads and parses the file at `path`; NOT_FOUND if it cannot be read.
absl::StatusOr<Config> LoadConfig(const std::string& path);

// Sets one key from "section.key=value" (value in YAML scalar syntax, e.g.
// "fields.title=3", "analysis.stem=false"), with the checks of ParseConfig.
// On error `config` is unchanged.
absl::Status ApplyOverride(Config* config, absl::string_view assignment);

}  // namespace seealso

#endif  // SEEALSO_CONFIG_CONFIG_H_
