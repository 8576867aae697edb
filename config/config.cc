#include "config/config.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace seealso {
namespace {

// Sets a key from a scalar node; returns "" or what is wrong with the value.
using Setter = std::function<std::string(const YAML::Node&, Config*)>;

struct Key {
  std::string section;
  std::string name;
  Setter set;
};

std::string Got(const YAML::Node& node) {
  return node.IsScalar() ? absl::StrCat(", got '", node.Scalar(), "'") : ", got a non-scalar";
}

Setter Bool(std::function<bool&(Config*)> field) {
  return [field](const YAML::Node& node, Config* c) -> std::string {
    bool v = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
      return "must be true or false" + Got(node);
    }
    field(c) = v;
    return "";
  };
}

template <typename T = int>
Setter Int(std::function<T&(Config*)> field, T min) {
  return [field, min](const YAML::Node& node, Config* c) -> std::string {
    T v = 0;
    if (!node.IsScalar() || !YAML::convert<T>::decode(node, v) || v < min) {
      return absl::StrCat("must be an integer >= ", min, Got(node));
    }
    field(c) = v;
    return "";
  };
}

// A number in [min, max], or in (min, max] if `open_min`.
template <typename T = double>
Setter Real(std::function<T&(Config*)> field, double min, double max, bool open_min) {
  return [=](const YAML::Node& node, Config* c) -> std::string {
    double v = 0;
    const bool ok = node.IsScalar() && YAML::convert<double>::decode(node, v) &&
                    std::isfinite(v) && (open_min ? v > min : v >= min) && v <= max;
    if (!ok) {
      return absl::StrCat("must be a number ", open_min ? "> " : ">= ", min,
                          max < 1e300 ? absl::StrCat(" and <= ", max) : "", Got(node));
    }
    field(c) = static_cast<T>(v);
    return "";
  };
}

Setter String(std::function<std::string&(Config*)> field) {
  return [field](const YAML::Node& node, Config* c) -> std::string {
    if (!node.IsScalar()) return "must be a string, got a non-scalar";
    field(c) = node.Scalar();
    return "";
  };
}

Setter Combination() {
  return [](const YAML::Node& node, Config* c) -> std::string {
    const std::string v = node.IsScalar() ? node.Scalar() : "";
    if (v == "counts") {
      c->embedding.fields.combine = FieldCombination::kCounts;
    } else if (v == "field_tf") {
      c->embedding.fields.combine = FieldCombination::kFieldTf;
    } else if (v == "field_vectors") {
      c->embedding.fields.combine = FieldCombination::kFieldVectors;
    } else {
      return "must be one of counts, field_tf, field_vectors" + Got(node);
    }
    return "";
  };
}

// Field names: a YAML sequence ([title, question]), or one string of names
// separated by commas, spaces or '+' (for --set and --sweep).
Setter Fields(std::function<FieldSet&(Config*)> field) {
  return [field](const YAML::Node& node, Config* c) -> std::string {
    std::string names;
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        if (!item.IsScalar()) return "must list field names, got a non-scalar item";
        absl::StrAppend(&names, names.empty() ? "" : ",", item.Scalar());
      }
    } else if (node.IsScalar()) {
      names = node.Scalar();
    } else if (!node.IsNull()) {
      return "must be a list of field names";
    }
    absl::StatusOr<FieldSet> set = ParseFieldSet(names);
    if (!set.ok()) return absl::StrCat("names ", set.status().message());
    field(c) = *set;
    return "";
  };
}

Setter Weight(double FieldWeights::*member) {
  return Real<double>([member](Config* c) -> double& { return c->embedding.fields.*member; }, 0,
                      1e308, false);
}

// Every key of the file; docs/configuration.md documents each one.
const std::vector<Key>& Keys() {
  static const auto* const kKeys = new std::vector<Key>{
      {"analysis", "strip_markup", Bool([](Config* c) -> bool& { return c->embedding.analyzer.strip_markup; })},
      {"analysis", "normalize", Bool([](Config* c) -> bool& { return c->embedding.analyzer.normalize; })},
      {"analysis", "fold_accents", Bool([](Config* c) -> bool& { return c->embedding.analyzer.fold_accents; })},
      {"analysis", "min_length", Int<int>([](Config* c) -> int& { return c->embedding.analyzer.min_length; }, 1)},
      {"analysis", "remove_stopwords", Bool([](Config* c) -> bool& { return c->embedding.analyzer.remove_stopwords; })},
      {"analysis", "stem", Bool([](Config* c) -> bool& { return c->embedding.analyzer.stem; })},
      {"analysis", "bigrams", Bool([](Config* c) -> bool& { return c->embedding.analyzer.bigrams; })},
      {"fields", "combine", Combination()},
      {"fields", "title", Weight(&FieldWeights::title)},
      {"fields", "question", Weight(&FieldWeights::question)},
      {"fields", "answer", Weight(&FieldWeights::answer)},
      {"fields", "keywords", Weight(&FieldWeights::keywords)},
      {"fields", "description", Weight(&FieldWeights::description)},
      {"fields", "subject", Weight(&FieldWeights::subject)},
      {"fields", "bigrams", Fields([](Config* c) -> FieldSet& { return c->embedding.fields.bigram_fields; })},
      {"tfidf", "sublinear_tf", Bool([](Config* c) -> bool& { return c->embedding.tfidf.sublinear_tf; })},
      {"tfidf", "smooth_idf", Bool([](Config* c) -> bool& { return c->embedding.tfidf.smooth_idf; })},
      {"tfidf", "min_df", Int<int>([](Config* c) -> int& { return c->embedding.tfidf.min_df; }, 1)},
      {"tfidf", "max_df", Real<double>([](Config* c) -> double& { return c->embedding.tfidf.max_df; }, 0, 1, true)},
      {"tfidf", "bigram_min_df", Int<int>([](Config* c) -> int& { return c->embedding.tfidf.bigram_min_df; }, 1)},
      {"tfidf", "bigram_weight", Real<double>([](Config* c) -> double& { return c->embedding.tfidf.bigram_weight; }, 0, 100, true)},
      {"scoring", "min_score", Real<float>([](Config* c) -> float& { return c->ranking.min_score; }, 0, 1, false)},
      {"scoring", "same_subject_boost", Real<float>([](Config* c) -> float& { return c->ranking.same_subject_boost; }, 0, 100, true)},
      {"scoring", "near_duplicate_threshold", Real<float>([](Config* c) -> float& { return c->ranking.near_duplicate_threshold; }, 0, 2, true)},
      {"scoring", "keep_near_copies_of_query", Bool([](Config* c) -> bool& { return c->ranking.keep_near_copies_of_query; })},
      {"scoring", "mmr_lambda", Real<float>([](Config* c) -> float& { return c->ranking.mmr_lambda; }, 0, 1, false)},
      {"scoring", "mention_boost", Real<float>([](Config* c) -> float& { return c->ranking.mention_boost; }, 0, 10, false)},
      {"mentions", "min_title_words", Int<int>([](Config* c) -> int& { return c->embedding.mentions.min_title_words; }, 0)},
      {"mentions", "max_df", Real<double>([](Config* c) -> double& { return c->embedding.mentions.max_df; }, 0, 1, false)},
      {"scoring", "candidate_query_terms", Int<int32_t>([](Config* c) -> int32_t& { return c->ranking.pruning.query_terms; }, 0)},
      {"scoring", "candidate_postings_per_term", Int<int32_t>([](Config* c) -> int32_t& { return c->ranking.pruning.postings_per_term; }, 0)},
      {"scoring", "candidate_rescore", Int<int32_t>([](Config* c) -> int32_t& { return c->ranking.pruning.rescore; }, 0)},
      {"server", "listen", String([](Config* c) -> std::string& { return c->server.listen; })},
      {"server", "admin_listen", String([](Config* c) -> std::string& { return c->server.admin_listen; })},
      {"server", "admin_token_file", String([](Config* c) -> std::string& { return c->server.admin_token_file; })},
      {"server", "metrics_listen", String([](Config* c) -> std::string& { return c->server.metrics_listen; })},
      {"server", "tls_cert", String([](Config* c) -> std::string& { return c->server.tls_cert; })},
      {"server", "tls_key", String([](Config* c) -> std::string& { return c->server.tls_key; })},
      {"server", "tls_client_ca", String([](Config* c) -> std::string& { return c->server.tls_client_ca; })},
      {"server", "default_k", Int<int>([](Config* c) -> int& { return c->server.default_k; }, 1)},
      {"server", "max_k", Int<int>([](Config* c) -> int& { return c->server.max_k; }, 1)},
      {"server", "max_batch", Int<int>([](Config* c) -> int& { return c->server.max_batch; }, 1)},
      {"server", "max_request_bytes", Int<int>([](Config* c) -> int& { return c->server.max_request_bytes; }, 1024)},
      {"server", "max_connection_age_ms", Int<int>([](Config* c) -> int& { return c->server.max_connection_age_ms; }, 0)},
      {"server", "shutdown_drain_ms", Int<int>([](Config* c) -> int& { return c->server.shutdown_drain_ms; }, 0)},
      {"server", "shutdown_grace_ms", Int<int>([](Config* c) -> int& { return c->server.shutdown_grace_ms; }, 0)},
      {"scoring", "exact_below_postings", Int<int64_t>([](Config* c) -> int64_t& { return c->ranking.pruning.exact_below_postings; }, 0)},
  };
  return *kKeys;
}

const Key* FindKey(absl::string_view section, absl::string_view name) {
  for (const Key& k : Keys()) {
    if (k.section == section && k.name == name) return &k;
  }
  return nullptr;
}

bool IsSection(absl::string_view section) {
  for (const Key& k : Keys()) {
    if (k.section == section) return true;
  }
  return false;
}

// Checks that span keys; "" if the config is usable.
std::string Validate(const Config& c) {
  const FieldWeights& w = c.embedding.fields;
  if (w.title + w.question + w.answer + w.keywords + w.description + w.subject <= 0) {
    return "fields: at least one field needs a weight > 0";
  }
  if (c.server.default_k > c.server.max_k) return "server: default_k must not exceed max_k";
  return "";
}

std::string Where(absl::string_view path, const YAML::Node& node) {
  return absl::StrCat(path, ":", node.Mark().line + 1, ": ");
}

}  // namespace

absl::StatusOr<Config> ParseConfig(absl::string_view text, absl::string_view path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", e.mark.line + 1, ": malformed YAML: ", e.msg));
  }
  Config config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(path, root), "expected a map of sections"));
  }
  absl::flat_hash_set<std::string> seen;
  for (const auto& section : root) {
    const std::string name = section.first.as<std::string>("");
    if (!IsSection(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, section.first), "unknown section '", name, "'"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, section.first), "duplicate section '", name, "'"));
    }
    if (section.second.IsNull()) continue;
    if (!section.second.IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, section.second), "section '", name, "' must be a map"));
    }
    for (const auto& entry : section.second) {
      const std::string key = entry.first.as<std::string>("");
      const Key* k = FindKey(name, key);
      if (k == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(path, entry.first), "unknown key '", key, "' in section '", name, "'"));
      }
      if (!seen.insert(name + "." + key).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(path, entry.first), "duplicate key '", key, "' in section '", name, "'"));
      }
      if (std::string problem = k->set(entry.second, &config); !problem.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(path, entry.second), name, ".", key, " ", problem));
      }
    }
  }
  if (std::string problem = Validate(config); !problem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
  }
  return config;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read configuration file"));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

absl::Status ApplyOverride(Config* config, absl::string_view assignment) {
  const size_t eq = assignment.find('=');
  const absl::string_view key = assignment.substr(0, eq);
  const size_t dot = key.find('.');
  if (eq == absl::string_view::npos || dot == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("override '", assignment, "': expected section.key=value"));
  }
  const absl::string_view section = key.substr(0, dot);
  const absl::string_view name = key.substr(dot + 1);
  const Key* k = FindKey(section, name);
  if (k == nullptr) {
    return absl::InvalidArgumentError(
        IsSection(section)
            ? absl::StrCat("override '", assignment, "': unknown key '", name, "' in section '",
                           section, "'")
            : absl::StrCat("override '", assignment, "': unknown section '", section, "'"));
  }
  YAML::Node value;
  try {
    value = YAML::Load(std::string(assignment.substr(eq + 1)));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("override '", assignment, "': malformed value: ", e.msg));
  }
  Config updated = *config;
  if (std::string problem = k->set(value, &updated); !problem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("override '", assignment, "': ", key, " ", problem));
  }
  if (std::string problem = Validate(updated); !problem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("override '", assignment, "': ", problem));
  }
  *config = updated;
  return absl::OkStatus();
}

}  // namespace seealso
