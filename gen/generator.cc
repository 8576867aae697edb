#include "gen/generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace seealso {
namespace {

namespace fs = std::filesystem;

// SplitMix64: a tiny, well-mixed generator whose output we define ourselves,
// so corpora are the same bytes on any standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  int Between(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1))); }

 private:
  uint64_t state_;
};

// Independent streams for (seed, purpose, index).
uint64_t StreamSeed(uint64_t seed, uint64_t purpose, uint64_t index) {
  Rng r(seed * 0x9E3779B97F4A7C15ull ^ (purpose << 56) ^ index);
  r.Next();
  return r.Next();
}

enum Purpose : uint64_t { kArticle = 1, kTopic = 2, kSubject = 3, kPlan = 4 };

constexpr const char* kSubjects[] = {"Biology",   "Chemistry", "Computer Science", "Economics",
                                     "History",   "Law",       "Mathematics",      "Medicine",
                                     "Nursing",   "Physics",   "Psychology",       "Statistics"};
constexpr int kNumSubjects = sizeof(kSubjects) / sizeof(kSubjects[0]);
constexpr int kTopicWords = 25;
constexpr int kSubjectWords = 12;

std::string Slug(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

CorpusGenerator::CorpusGenerator(const GeneratorOptions& options)
    : options_(options),
      topics_(static_cast<int32_t>(
          std::max<int64_t>(1, (options.n + options.topic_size - 1) / options.topic_size))) {
  zipf_cdf_.resize(options_.vocabulary);
  double sum = 0;
  for (int32_t r = 0; r < options_.vocabulary; ++r) {
    sum += 1.0 / std::pow(r + 1.0, options_.zipf_s);
    zipf_cdf_[r] = sum;
  }
  for (double& c : zipf_cdf_) c /= sum;
  words_.reserve(options_.vocabulary);
  for (int32_t r = 0; r < options_.vocabulary; ++r) words_.push_back(Word(r));
}

// Pronounceable, unique words of two or three consonant-vowel syllables;
// frequent ranks get the short ones.
std::string CorpusGenerator::Word(int32_t rank) const {
  static constexpr char kConsonants[] = "bdfgklmnprtvz";
  static constexpr char kVowels[] = "aiou";
  constexpr int kSyllables = 13 * 4;
  std::string w;
  for (int64_t x = rank + kSyllables; x > 0; x /= kSyllables) {
    const int s = static_cast<int>(x % kSyllables);
    w.push_back(kConsonants[s / 4]);
    w.push_back(kVowels[s % 4]);
  }
  return w;
}

int64_t CorpusGenerator::SourceOf(int64_t index) const {
  Rng plan(StreamSeed(options_.seed, kPlan, static_cast<uint64_t>(index)));
  if (index == 0 || plan.Uniform() >= options_.near_duplicate_share) return index;
  // A copy of an earlier article; if that one is a copy too, of its original.
  return SourceOf(static_cast<int64_t>(plan.Below(static_cast<uint64_t>(index))));
}

int32_t CorpusGenerator::TopicOf(int64_t index) const {
  Rng topic(StreamSeed(options_.seed, kTopic, static_cast<uint64_t>(SourceOf(index))));
  return static_cast<int32_t>(topic.Below(static_cast<uint64_t>(topics_)));
}

GeneratedArticle CorpusGenerator::Article(int64_t index) const {
  GeneratedArticle g;
  g.id = options_.first_id + index;
  // A planted near copy re-generates its original's words, then perturbs them.
  const int64_t source = SourceOf(index);
  if (source != index) g.copy_of = source;
  g.topic = TopicOf(index);
  const int subject = g.topic % kNumSubjects;

  Rng topic_rng(StreamSeed(options_.seed, kTopic ^ 0x10, static_cast<uint64_t>(g.topic)));
  Rng subject_rng(StreamSeed(options_.seed, kSubject, static_cast<uint64_t>(subject)));
  const int32_t band = std::max<int32_t>(1, options_.vocabulary - 200);
  std::vector<int32_t> topic_words(kTopicWords);
  for (int32_t& w : topic_words) w = 200 + static_cast<int32_t>(topic_rng.Below(band));
  std::vector<int32_t> subject_words(kSubjectWords);
  for (int32_t& w : subject_words) {
    w = 100 + static_cast<int32_t>(subject_rng.Below(std::min(1900, band)));
  }

  Rng rng(StreamSeed(options_.seed, kArticle, static_cast<uint64_t>(source)));
  // A copy perturbs about one word in eight with its own generator.
  Rng noise(StreamSeed(options_.seed, kArticle ^ 0x20, static_cast<uint64_t>(index)));
  auto word = [&](double p_topic, double p_subject) -> const std::string& {
    const double u = rng.Uniform();
    int32_t r;
    if (u < p_topic) {
      r = topic_words[rng.Below(kTopicWords)];
    } else if (u < p_topic + p_subject) {
      r = subject_words[rng.Below(kSubjectWords)];
    } else {
      r = static_cast<int32_t>(std::lower_bound(zipf_cdf_.begin(), zipf_cdf_.end(), rng.Uniform()) -
                               zipf_cdf_.begin());
      r = std::min(r, options_.vocabulary - 1);
    }
    if (g.copy_of >= 0 && noise.Uniform() < 0.125) {
      r = static_cast<int32_t>(noise.Below(static_cast<uint64_t>(options_.vocabulary)));
    }
    return words_[r];
  };
  auto words = [&](int count, double p_topic, double p_subject) {
    std::string s;
    for (int i = 0; i < count; ++i) absl::StrAppend(&s, i ? " " : "", word(p_topic, p_subject));
    return s;
  };
  auto capitalise = [](std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
  };

  std::string title = capitalise(words(rng.Between(8, 12), 0.5, 0.15)) + "?";
  std::string question = capitalise(words(rng.Between(20, 40), 0.25, 0.1)) + "?";
  std::string answer = capitalise(words(rng.Between(12, 20), 0.2, 0.05)) + ":";
  const int paragraphs = rng.Between(4, 6);
  for (int p = 1; p <= paragraphs; ++p) {
    absl::StrAppend(&answer, "\\n\\n", p, ". **", capitalise(words(2, 0.6, 0.1)), "**: ",
                    capitalise(words(rng.Between(30, 45), 0.15, 0.05)), ".");
  }
  absl::StrAppend(&answer, "\\n\\nIn summary, ", words(rng.Between(15, 25), 0.2, 0.05), ".");
  std::vector<std::string> keywords;
  for (int i = 0; i < 6; ++i) keywords.push_back(words_[topic_words[rng.Below(kTopicWords)]]);
  const std::string description = capitalise(words(rng.Between(18, 28), 0.2, 0.05)) + ".";

  const std::string slug = absl::StrCat(Slug(title), "-", g.id);
  const std::string subject_name = kSubjects[subject];
  const int month = 1 + static_cast<int>(index % 12);
  const int day = 1 + static_cast<int>((index / 12) % 28);
  g.path = absl::StrFormat("articles/%04d/%s.md", index / options_.files_per_dir, slug);
  g.text = absl::StrCat(
      "---\n_schema: default\nid: ", g.id, "\ndate: ", absl::StrFormat("2025-%02d-%02d", month, day),
      "\ntitle: >-\n    ", title, "\narticle_title: >-\n    ", title,
      "\ndate_format: MMM DD, YYYY\npost_on_text: Posted on\nseo:\n  title: QuickTakes | ",
      subject_name, "\n  page_description: >-\n    ", description, "\n  page_keywords: >-\n    ",
      absl::StrJoin(keywords, ", "), "\nauthor: QuickTakes\nquestion: >-\n    ", question,
      "\nanswer: >-\n    ", answer, "\nsubject: ", subject_name, "\nfile_name: ", slug,
      ".md\nurl: /learn/", Slug(subject_name), "/questions/", slug, "\nscore: -1.0\n---\n\n&nbsp;\n");
  return g;
}

absl::Status CorpusGenerator::Write(const fs::path& dir,
                                    const std::function<void(int64_t)>& progress) const {
  std::error_code ec;
  const int64_t n = options_.n;
  for (int64_t d = 0; d * options_.files_per_dir < n; ++d) {
    fs::create_directories(dir / absl::StrFormat("articles/%04d", d), ec);
    if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));
  }
  int threads = options_.threads > 0 ? options_.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int32_t> topic(static_cast<size_t>(n));
  std::vector<int64_t> copy_of(static_cast<size_t>(n), -1);
  std::atomic<int64_t> written{0};
  std::atomic<bool> failed{false};
  std::string failure;
  auto work = [&](int t) {
    for (int64_t i = t; i < n && !failed; i += threads) {
      GeneratedArticle a = Article(i);
      topic[i] = a.topic;
      copy_of[i] = a.copy_of;
      std::ofstream out(dir / a.path, std::ios::binary);
      out << a.text;
      if (!out.good()) {
        if (!failed.exchange(true)) failure = (dir / a.path).string() + ": write failed";
        return;
      }
      const int64_t done = ++written;
      if (t == 0 && progress && done % 10000 < static_cast<int64_t>(threads)) progress(done);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  if (failed) return absl::UnavailableError(failure);
  if (progress) progress(n);

  // Judgments: a deterministic stride sample of articles, each judged against
  // every article of its topic (grade 1) and its planted copies (grade 2).
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(topics_));
  for (int64_t i = 0; i < n; ++i) members[topic[i]].push_back(i);
  std::vector<std::vector<int64_t>> copies(static_cast<size_t>(n));
  std::string dups;
  for (int64_t i = 0; i < n; ++i) {
    if (copy_of[i] < 0) continue;
    copies[copy_of[i]].push_back(i);
    copies[i].push_back(copy_of[i]);
    absl::StrAppend(&dups, options_.first_id + copy_of[i], "\t", options_.first_id + i, "\n");
  }
  std::string qrels;
  const int64_t judged = std::min(options_.judged, n);
  for (int64_t j = 0; j < judged; ++j) {
    const int64_t i = j * n / judged;
    for (int64_t other : members[topic[i]]) {
      if (other == i) continue;
      const bool copy = std::find(copies[i].begin(), copies[i].end(), other) != copies[i].end();
      absl::StrAppend(&qrels, options_.first_id + i, "\t", options_.first_id + other, "\t",
                      copy ? 2 : 1, "\n");
    }
  }
  const std::string readme = absl::StrCat(
      "# Generated corpus\n\nMade by `seealso gen --n ", n, " --seed ", options_.seed,
      "`: synthetic articles (not real text) for benchmarks and quality checks.\n\n",
      "- articles/: ", n, " articles in ", topics_, " topics over ", kNumSubjects,
      " subjects; a vocabulary of ", options_.vocabulary, " words, Zipf s = ", options_.zipf_s,
      ".\n- qrels.tsv: ", judged,
      " judged articles; every other article of the same topic is relevant (grade 1), a planted "
      "near copy grade 2.\n- dups.tsv: the planted near-copy pairs (original id, copy id).\n");
  const std::pair<const char*, const std::string*> files[] = {
      {"qrels.tsv", &qrels}, {"dups.tsv", &dups}, {"README.md", &readme}};
  for (const auto& [name, text] : files) {
    std::ofstream out(dir / name, std::ios::binary);
    out << *text;
    if (!out.good()) return absl::UnavailableError((dir / name).string() + ": write failed");
  }
  return absl::OkStatus();
}

}  // namespace seealso
