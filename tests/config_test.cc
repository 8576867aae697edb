// The configuration file: defaults, every key, and the errors with their lines.
#include "config/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace seealso {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, EmptyTextIsTheDefault) {
  auto c = ParseConfig("", "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, Config{});
}

TEST(ConfigTest, ShippedFileHoldsTheDefaults) {
  auto c = LoadConfig(SEEALSO_SOURCE_DIR "/config/seealso.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, Config{});
}

TEST(ConfigTest, EveryKeyIsRead) {
  auto c = ParseConfig(R"(
analysis:
  strip_markup: false
  normalize: false
  fold_accents: false
  min_length: 3
  remove_stopwords: false
  stem: false
  bigrams: true
fields:
  combine: counts
  title: 3
  question: 2.5
  answer: 0.5
  keywords: 0
  description: 1
  subject: 0.25
  bigrams: [title, answer]
tfidf:
  sublinear_tf: false
  smooth_idf: false
  min_df: 2
  max_df: 0.4
  bigram_min_df: 3
  bigram_weight: 1.5
mentions:
  min_title_words: 4
  max_df: 0.05
scoring:
  min_score: 0.05
  same_subject_boost: 1.5
  near_duplicate_threshold: 0.7
  keep_near_copies_of_query: true
  mmr_lambda: 0.6
  mention_boost: 0.45
  candidate_query_terms: 12
  candidate_postings_per_term: 300
  candidate_rescore: 80
  exact_below_postings: 100000
server:
  listen: 0.0.0.0:6000
  admin_listen: 127.0.0.1:6001
  admin_token_file: /run/token
  metrics_listen: 127.0.0.1:9464
  tls_cert: c.pem
  tls_key: k.pem
  tls_client_ca: ca.pem
  default_k: 5
  max_k: 20
  max_batch: 50
  max_request_bytes: 4096
  shutdown_drain_ms: 250
  shutdown_grace_ms: 100
  max_connection_age_ms: 0
)", "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  Config want;
  want.embedding.analyzer = {.strip_markup = false, .normalize = false, .fold_accents = false,
                             .min_length = 3, .remove_stopwords = false, .stem = false,
                             .bigrams = true};
  want.embedding.fields = {.combine = FieldCombination::kCounts, .title = 3, .question = 2.5,
                           .answer = 0.5, .keywords = 0, .description = 1, .subject = 0.25,
                           .bigram_fields = FieldBit(Field::kTitle) | FieldBit(Field::kAnswer)};
  want.embedding.tfidf = {.sublinear_tf = false, .smooth_idf = false, .min_df = 2, .max_df = 0.4,
                          .bigram_min_df = 3, .bigram_weight = 1.5};
  want.ranking.min_score = 0.05f;
  want.ranking.same_subject_boost = 1.5f;
  want.ranking.near_duplicate_threshold = 0.7f;
  want.ranking.keep_near_copies_of_query = true;
  want.ranking.mmr_lambda = 0.6f;
  want.ranking.mention_boost = 0.45f;
  want.embedding.mentions = {.min_title_words = 4, .max_df = 0.05};
  want.ranking.pruning = {.query_terms = 12, .postings_per_term = 300, .rescore = 80,
                          .exact_below_postings = 100000};
  want.server = {.listen = "0.0.0.0:6000", .admin_listen = "127.0.0.1:6001",
                 .admin_token_file = "/run/token", .metrics_listen = "127.0.0.1:9464",
                 .tls_cert = "c.pem", .tls_key = "k.pem", .tls_client_ca = "ca.pem",
                 .default_k = 5, .max_k = 20, .max_batch = 50, .max_request_bytes = 4096,
                 .shutdown_drain_ms = 250, .shutdown_grace_ms = 100, .max_connection_age_ms = 0};
  EXPECT_EQ(*c, want);
}

void ExpectError(absl::string_view text, absl::string_view message) {
  auto c = ParseConfig(text, "c.yaml");
  ASSERT_FALSE(c.ok()) << text;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), message);
}

TEST(ConfigTest, ErrorsNameFileLineAndKey) {
  ExpectError("fields:\n  title: 2\n  titel: 3\n", "c.yaml:3: unknown key 'titel' in section 'fields'");
  ExpectError("# c\nanalysys:\n  stem: true\n", "c.yaml:2: unknown section 'analysys'");
  ExpectError("analysis:\n  stem: maybe\n", "c.yaml:2: analysis.stem must be true or false, got 'maybe'");
  ExpectError("tfidf:\n  min_df: 0\n", "c.yaml:2: tfidf.min_df must be an integer >= 1, got '0'");
  ExpectError("tfidf:\n  min_df: 1.5\n", "c.yaml:2: tfidf.min_df must be an integer >= 1, got '1.5'");
  ExpectError("tfidf:\n  bigram_min_df: 0\n", "c.yaml:2: tfidf.bigram_min_df must be an integer >= 1, got '0'");
  ExpectError("tfidf:\n  bigram_weight: 0\n", "c.yaml:2: tfidf.bigram_weight must be a number > 0 and <= 100, got '0'");
  ExpectError("tfidf:\n  max_df: 0\n", "c.yaml:2: tfidf.max_df must be a number > 0 and <= 1, got '0'");
  ExpectError("fields:\n  title: -1\n", "c.yaml:2: fields.title must be a number >= 0, got '-1'");
  ExpectError("fields:\n  title: [1, 2]\n", "c.yaml:2: fields.title must be a number >= 0, got a non-scalar");
  ExpectError("fields:\n  combine: sum\n",
              "c.yaml:2: fields.combine must be one of counts, field_tf, field_vectors, got 'sum'");
  ExpectError("tfidf:\n  min_df: 2\n  min_df: 3\n", "c.yaml:3: duplicate key 'min_df' in section 'tfidf'");
  ExpectError("scoring:\n  mmr_lambda: 1.5\n",
              "c.yaml:2: scoring.mmr_lambda must be a number >= 0 and <= 1, got '1.5'");
  ExpectError("scoring:\n  same_subject_boost: 0\n",
              "c.yaml:2: scoring.same_subject_boost must be a number > 0 and <= 100, got '0'");
  ExpectError("scoring:\n  candidate_rescore: -1\n",
              "c.yaml:2: scoring.candidate_rescore must be an integer >= 0, got '-1'");
  ExpectError("scoring:\n  k: 4\n", "c.yaml:2: unknown key 'k' in section 'scoring'");
  ExpectError("server:\n  max_request_bytes: 10\n",
              "c.yaml:2: server.max_request_bytes must be an integer >= 1024, got '10'");
  ExpectError("server:\n  shutdown_drain_ms: -1\n",
              "c.yaml:2: server.shutdown_drain_ms must be an integer >= 0, got '-1'");
  ExpectError("server:\n  listen: [a]\n", "c.yaml:2: server.listen must be a string, got a non-scalar");
  ExpectError("server:\n  max_k: 3\n", "c.yaml: server: default_k must not exceed max_k");
  ExpectError("fields:\n  title: 1\n  bigrams: [title, tilte]\n",
              "c.yaml:3: fields.bigrams names unknown field 'tilte' (fields: title, question, "
              "answer, keywords, description, subject)");
  ExpectError("fields:\n  bigrams: [[title]]\n",
              "c.yaml:2: fields.bigrams must list field names, got a non-scalar item");
  ExpectError("fields:\n  bigrams: {title: 1}\n", "c.yaml:2: fields.bigrams must be a list of field names");
  ExpectError("tfidf: 3\n", "c.yaml:1: section 'tfidf' must be a map");
  ExpectError("- 1\n", "c.yaml:1: expected a map of sections");
  ExpectError("fields:\n  title: 0\n  question: 0\n  answer: 0\n  keywords: 0\n  description: 0\n  subject: 0\n",
              "c.yaml: fields: at least one field needs a weight > 0");
  auto c = ParseConfig("fields:\n  title: [1\n", "c.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("malformed YAML"));
}

TEST(ConfigTest, LoadConfigReportsAMissingFile) {
  auto c = LoadConfig("/nonexistent/seealso.yaml");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigTest, OverrideSetsOneKey) {
  Config c;
  ASSERT_TRUE(ApplyOverride(&c, "fields.title=3.5").ok());
  EXPECT_EQ(c.embedding.fields.title, 3.5);
  ASSERT_TRUE(ApplyOverride(&c, "analysis.bigrams=false").ok());
  EXPECT_FALSE(c.embedding.analyzer.bigrams);
  ASSERT_TRUE(ApplyOverride(&c, "fields.combine=field_tf").ok());
  EXPECT_EQ(c.embedding.fields.combine, FieldCombination::kFieldTf);
  // A field list as one string ('+' keeps it whole in a --sweep's commas).
  ASSERT_TRUE(ApplyOverride(&c, "fields.bigrams=question+answer").ok());
  EXPECT_EQ(c.embedding.fields.bigram_fields, FieldBit(Field::kQuestion) | FieldBit(Field::kAnswer));
  ASSERT_TRUE(ApplyOverride(&c, "fields.bigrams=[]").ok());
  EXPECT_EQ(c.embedding.fields.bigram_fields, 0u);
}

TEST(ConfigTest, BadOverrideLeavesConfigUnchanged) {
  Config c;
  EXPECT_EQ(ApplyOverride(&c, "fields.titel=3").message(),
            "override 'fields.titel=3': unknown key 'titel' in section 'fields'");
  EXPECT_EQ(ApplyOverride(&c, "field.title=3").message(),
            "override 'field.title=3': unknown section 'field'");
  EXPECT_EQ(ApplyOverride(&c, "title").message(), "override 'title': expected section.key=value");
  EXPECT_EQ(ApplyOverride(&c, "tfidf.max_df=2").message(),
            "override 'tfidf.max_df=2': tfidf.max_df must be a number > 0 and <= 1, got '2'");
  EXPECT_EQ(c, Config{});
}

}  // namespace
}  // namespace seealso
