#include "embeddings/snapshot.h"

#include <array>
#include <bit>
#include <cstring>
#include <ctime>
#include <limits>
#include <string>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/atomic_file.h"
#include "common/checksum.h"
#include "common/mapped_file.h"
#include "common/parallel.h"

namespace seealso {
namespace {

// Arrays are written and read as raw memory: the format is little-endian.
static_assert(std::endian::native == std::endian::little, "big-endian hosts are not supported");

constexpr char kMagic[8] = {'S', 'E', 'E', 'A', 'L', 'S', 'O', '\0'};
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr uint32_t kByteOrderMarkSwapped = 0x04030201;
constexpr uint64_t kPreambleBytes = 32;  // magic, version, byte order, file size, checksum
constexpr uint64_t kEntryBytes = 32;     // tag, reserved, offset, size, checksum

// The sections, in file order; a section's tag is its index + 1.
enum Section : uint32_t {
  kOptions, kInfo, kTerms, kIdf, kRowStarts, kColumns, kValues,
  kIds, kPaths, kTitles, kSubjects, kUrls, kMentionStart, kMentionDoc, kMentionIgnored,
  kNumSections,
};
constexpr std::array<const char*, kNumSections> kSectionNames = {
    "options", "info", "terms", "idf", "row_starts", "columns", "values",
    "article_ids", "article_paths", "article_titles", "article_subjects", "article_urls",
    "mention_start", "mention_doc", "mention_ignored"};
// Sections start on this boundary (zero padding between them), so that a
// mapped file's arrays can be used in place.
constexpr uint64_t kAlign = 64;
// Sections a caller may add after the model's (WriteSnapshot's `extra`).
constexpr uint32_t kMaxExtraSections = 32;
constexpr uint64_t kInfoBytes = 32;  // build time, rows, columns, non-zeros

// --- EmbeddingOptions as "key=value" lines -------------------------------
// Keys are the configuration file's (docs/configuration.md). A key missing
// from a file keeps its default, so adding an option only needs a row here
// (and a default that reproduces the behaviour of builds without it).

using OptionRef = std::variant<bool& (*)(EmbeddingOptions&), int& (*)(EmbeddingOptions&),
                               double& (*)(EmbeddingOptions&),
                               FieldCombination& (*)(EmbeddingOptions&),
                               FieldSet& (*)(EmbeddingOptions&)>;
struct OptionKey {
  const char* name;
  OptionRef ref;
};

const std::vector<OptionKey>& OptionKeys() {
  using O = EmbeddingOptions;
  static const auto* keys = new std::vector<OptionKey>{
      {"analysis.strip_markup", +[](O& o) -> bool& { return o.analyzer.strip_markup; }},
      {"analysis.normalize", +[](O& o) -> bool& { return o.analyzer.normalize; }},
      {"analysis.fold_accents", +[](O& o) -> bool& { return o.analyzer.fold_accents; }},
      {"analysis.min_length", +[](O& o) -> int& { return o.analyzer.min_length; }},
      {"analysis.remove_stopwords", +[](O& o) -> bool& { return o.analyzer.remove_stopwords; }},
      {"analysis.stem", +[](O& o) -> bool& { return o.analyzer.stem; }},
      {"analysis.bigrams", +[](O& o) -> bool& { return o.analyzer.bigrams; }},
      {"fields.combine", +[](O& o) -> FieldCombination& { return o.fields.combine; }},
      {"fields.title", +[](O& o) -> double& { return o.fields.title; }},
      {"fields.question", +[](O& o) -> double& { return o.fields.question; }},
      {"fields.answer", +[](O& o) -> double& { return o.fields.answer; }},
      {"fields.keywords", +[](O& o) -> double& { return o.fields.keywords; }},
      {"fields.description", +[](O& o) -> double& { return o.fields.description; }},
      {"fields.subject", +[](O& o) -> double& { return o.fields.subject; }},
      // Builds before this key made bigrams in every field: a snapshot
      // without it is read so (ParseOptionsText).
      {"fields.bigrams", +[](O& o) -> FieldSet& { return o.fields.bigram_fields; }},
      {"tfidf.sublinear_tf", +[](O& o) -> bool& { return o.tfidf.sublinear_tf; }},
      {"tfidf.smooth_idf", +[](O& o) -> bool& { return o.tfidf.smooth_idf; }},
      {"tfidf.min_df", +[](O& o) -> int& { return o.tfidf.min_df; }},
      {"tfidf.max_df", +[](O& o) -> double& { return o.tfidf.max_df; }},
      {"tfidf.bigram_min_df", +[](O& o) -> int& { return o.tfidf.bigram_min_df; }},
      {"tfidf.bigram_weight", +[](O& o) -> double& { return o.tfidf.bigram_weight; }},
      {"mentions.min_title_words", +[](O& o) -> int& { return o.mentions.min_title_words; }},
      {"mentions.max_df", +[](O& o) -> double& { return o.mentions.max_df; }},
  };
  return *keys;
}

constexpr std::array<std::pair<FieldCombination, const char*>, 3> kCombinations = {{
    {FieldCombination::kCounts, "counts"},
    {FieldCombination::kFieldTf, "field_tf"},
    {FieldCombination::kFieldVectors, "field_vectors"},
}};

std::string FormatOption(bool v) { return v ? "true" : "false"; }
std::string FormatOption(int v) { return absl::StrCat(v); }
std::string FormatOption(double v) { return absl::StrFormat("%.17g", v); }  // round-trips
std::string FormatOption(FieldSet v) { return FieldSetText(v); }
std::string FormatOption(FieldCombination v) {
  for (const auto& [c, name] : kCombinations) {
    if (c == v) return name;
  }
  return "?";
}

bool ParseOption(absl::string_view s, bool* v) {
  if (s != "true" && s != "false") return false;
  *v = s == "true";
  return true;
}
bool ParseOption(absl::string_view s, int* v) { return absl::SimpleAtoi(s, v); }
bool ParseOption(absl::string_view s, double* v) { return absl::SimpleAtod(s, v); }
bool ParseOption(absl::string_view s, FieldSet* v) {
  absl::StatusOr<FieldSet> set = ParseFieldSet(s);
  if (set.ok()) *v = *set;
  return set.ok();
}
bool ParseOption(absl::string_view s, FieldCombination* v) {
  for (const auto& [c, name] : kCombinations) {
    if (s == name) return *v = c, true;
  }
  return false;
}

std::string OptionsText(EmbeddingOptions options) {
  std::string text;
  for (const OptionKey& key : OptionKeys()) {
    std::visit([&](auto ref) { absl::StrAppend(&text, key.name, "=", FormatOption(ref(options)), "\n"); },
               key.ref);
  }
  return text;
}

absl::StatusOr<EmbeddingOptions> ParseOptionsText(absl::string_view text) {
  EmbeddingOptions options;
  // What a file without the key means (its line, when present, overrides).
  options.fields.bigram_fields = kAllFields;
  std::vector<bool> seen(OptionKeys().size());
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    const absl::string_view name = line.substr(0, eq);
    size_t k = 0;
    while (k < OptionKeys().size() && name != OptionKeys()[k].name) ++k;
    if (eq == absl::string_view::npos || k == OptionKeys().size() || seen[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat("option line '", line, "' is malformed, repeated or unknown to this build"));
    }
    seen[k] = true;
    const absl::string_view value = line.substr(eq + 1);
    const bool ok = std::visit([&](auto ref) { return ParseOption(value, &ref(options)); },
                               OptionKeys()[k].ref);
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad value in option line '", line, "'"));
  }
  return options;
}

// --- Raw little-endian fields ---------------------------------------------

template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T Get(absl::string_view bytes, size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(v));
  return v;
}
template <typename T>
absl::string_view Bytes(const T* data, size_t n) {
  return {reinterpret_cast<const char*>(data), n * sizeof(T)};
}

// --- Reading ----------------------------------------------------------------

struct Entry {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;
};

uint64_t AlignUp(uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

// A typed view of a section, borrowed from the mapping. Callers have checked
// its size; sections start on kAlign-byte boundaries of a page-aligned
// mapping, so it cannot fail.
template <typename T>
FrozenArray<T> Borrow(absl::string_view section, const std::shared_ptr<const MappedFile>& file) {
  return FrozenArray<T>::BorrowBytes(section, file).value();
}

// A string table of `count` strings (count + 1 uint64 offsets, then the
// bytes), borrowed from the mapping; INVALID_ARGUMENT saying what is wrong
// (calling a string `noun`) if it is malformed.
absl::StatusOr<StringColumn> BorrowStringTable(absl::string_view section, uint64_t count,
                                               const std::shared_ptr<const MappedFile>& file,
                                               absl::string_view noun = "string") {
  if (section.size() / 8 <= count) return absl::InvalidArgumentError("shorter than its offsets");
  return StringColumn::FromParts(Borrow<uint64_t>(section.substr(0, 8 * (count + 1)), file),
                                 Borrow<char>(section.substr(8 * (count + 1)), file), noun);
}

}  // namespace

absl::Status WriteSnapshot(const std::filesystem::path& path, const Embeddings& embeddings,
                           const ArticleTable& articles,
                           absl::Span<const absl::string_view> extra, const Mentions& mentions) {
  const Embeddings::MatrixParts& m = embeddings.matrix_parts();
  if (!embeddings.can_embed()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": the model has no vocabulary (built for a batch run)"));
  }
  if (static_cast<size_t>(m.rows) != articles.size()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", articles.size(),
                                                   " articles for ", m.rows, " matrix rows"));
  }
  if (extra.size() > kMaxExtraSections) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", extra.size(),
                                                   " extra sections, at most ", kMaxExtraSections));
  }
  const auto rows = static_cast<size_t>(m.rows);
  const size_t nnz = m.values.size();
  const Vocabulary& terms = embeddings.terms();

  std::string info;
  Put<int64_t>(&info, static_cast<int64_t>(std::time(nullptr)));
  Put<uint64_t>(&info, rows);
  Put<uint64_t>(&info, terms.size());
  Put<uint64_t>(&info, nnz);
  // A StringColumn's (and so the vocabulary's) layout is the string table's.
  auto table_of = [](const StringColumn& c) {
    return absl::StrCat(c.offsets().bytes(), c.bytes().bytes());
  };
  const std::array<std::string, 6> built = {
      OptionsText(embeddings.options()), table_of(terms.column()),
      table_of(articles.paths()), table_of(articles.titles()), table_of(articles.subjects()),
      table_of(articles.urls())};
  // The large arrays go to the file straight from memory.
  std::vector<absl::string_view> sections(kNumSections);
  sections[kOptions] = built[0];
  sections[kInfo] = info;
  sections[kTerms] = built[1];
  sections[kIdf] = Bytes(embeddings.idf().data(), embeddings.idf().size());
  sections[kRowStarts] = m.row_starts.bytes();
  sections[kColumns] = m.columns.bytes();
  sections[kValues] = m.values.bytes();
  sections[kIds] = articles.ids().bytes();
  sections[kPaths] = built[2];
  sections[kTitles] = built[3];
  sections[kSubjects] = built[4];
  sections[kUrls] = built[5];
  sections[kMentionStart] = mentions.start().bytes();
  sections[kMentionDoc] = mentions.doc().bytes();
  sections[kMentionIgnored] = mentions.ignored().bytes();
  sections.insert(sections.end(), extra.begin(), extra.end());
  const auto count = static_cast<uint32_t>(sections.size());

  std::string table;
  Put<uint32_t>(&table, count);
  Put<uint32_t>(&table, 0);
  uint64_t end = kPreambleBytes + 8 + count * kEntryBytes;
  std::vector<uint64_t> offsets;
  for (uint32_t s = 0; s < count; ++s) {
    offsets.push_back(AlignUp(end));
    Put<uint32_t>(&table, s + 1);
    Put<uint32_t>(&table, 0);
    Put<uint64_t>(&table, offsets.back());
    Put<uint64_t>(&table, sections[s].size());
    Put<uint64_t>(&table, Checksum64(sections[s]));
    end = offsets.back() + sections[s].size();
  }
  std::string preamble(kMagic, sizeof(kMagic));
  Put<uint32_t>(&preamble, kSnapshotFormatVersion);
  Put<uint32_t>(&preamble, kByteOrderMark);
  Put<uint64_t>(&preamble, end);
  Put<uint64_t>(&preamble, Checksum64(table));

  static const std::string kZeros(kAlign, '\0');
  std::vector<absl::string_view> pieces = {preamble, table};
  uint64_t at = kPreambleBytes + table.size();
  for (uint32_t s = 0; s < count; ++s) {
    pieces.push_back(absl::string_view(kZeros).substr(0, offsets[s] - at));
    pieces.push_back(sections[s]);
    at = offsets[s] + sections[s].size();
  }
  return WriteFileAtomically(path, pieces);
}

absl::StatusOr<LoadedSnapshot> ReadSnapshot(const std::filesystem::path& path) {
  absl::StatusOr<std::shared_ptr<const MappedFile>> mapped = MappedFile::Open(path);
  if (!mapped.ok()) return mapped.status();
  const std::shared_ptr<const MappedFile>& file = *mapped;
  const absl::string_view bytes = file->bytes();
  const std::string name = path.string();
  auto error = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(name, ": ", what));
  };

  // The preamble: each field is checked on its own, most telling first.
  const absl::string_view preamble = bytes.substr(0, kPreambleBytes);
  const size_t magic_seen = std::min(preamble.size(), sizeof(kMagic));
  if (magic_seen == 0 || std::memcmp(preamble.data(), kMagic, magic_seen) != 0) {
    return absl::InvalidArgumentError(name + ": not a seealso snapshot (bad magic number)");
  }
  if (preamble.size() < kPreambleBytes) {
    return error(absl::StrCat("truncated: ", bytes.size(), " bytes, shorter than the header"));
  }
  const auto bom = Get<uint32_t>(preamble, 12);
  if (bom != kByteOrderMark) {
    return bom == kByteOrderMarkSwapped
               ? absl::FailedPreconditionError(name + ": snapshot written in big-endian byte order")
               : error("corrupt header: bad byte-order mark");
  }
  const auto version = Get<uint32_t>(preamble, 8);
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, ": snapshot format version ", version, ", this build reads ", kSnapshotFormatVersion,
        version < kSnapshotFormatVersion ? " (rebuild it with `seealso index`)" : ""));
  }
  const auto declared = Get<uint64_t>(preamble, 16);
  if (declared != bytes.size()) {
    return error(absl::StrCat(declared > bytes.size() ? "truncated: " : "trailing bytes: ",
                              bytes.size(), " bytes, the header says ", declared));
  }

  // The section table, then the place of each section: in order, each on the
  // next kAlign boundary after the previous one, zero padding between.
  const uint64_t count = bytes.size() >= kPreambleBytes + 8 ? Get<uint32_t>(bytes, kPreambleBytes) : 0;
  const uint64_t table_bytes = 8 + count * kEntryBytes;
  if (count < kNumSections || count > kNumSections + kMaxExtraSections ||
      bytes.size() - kPreambleBytes < table_bytes ||
      Checksum64(bytes.substr(kPreambleBytes, table_bytes)) != Get<uint64_t>(preamble, 24)) {
    return error("checksum mismatch in the section table: the file is corrupted");
  }
  auto section_name = [&](uint64_t s) {
    return s < kNumSections ? std::string(kSectionNames[s]) : absl::StrCat("extra ", s - kNumSections);
  };
  std::vector<Entry> table(count);
  uint64_t end = kPreambleBytes + table_bytes;
  for (uint64_t s = 0; s < count; ++s) {
    const uint64_t at = kPreambleBytes + 8 + s * kEntryBytes;
    Entry& e = table[s];
    e = {Get<uint64_t>(bytes, at + 8), Get<uint64_t>(bytes, at + 16), Get<uint64_t>(bytes, at + 24)};
    if (Get<uint32_t>(bytes, at) != s + 1 || e.offset != AlignUp(end) || e.offset > bytes.size() ||
        e.size > bytes.size() - e.offset ||
        bytes.substr(end, e.offset - end).find_first_not_of('\0') != absl::string_view::npos) {
      return error(absl::StrCat("corrupt section table at section ", section_name(s)));
    }
    end = e.offset + e.size;
  }
  if (end != bytes.size()) return error("corrupt section table: sections do not fill the file");

  // Every section's checksum, largest first over all cores: hashing the
  // mapped pages is most of the cost of a load.
  std::vector<uint64_t> by_size(count);
  for (uint64_t s = 0; s < count; ++s) by_size[s] = s;
  std::sort(by_size.begin(), by_size.end(),
            [&](uint64_t a, uint64_t b) { return table[a].size > table[b].size; });
  std::vector<char> bad(count, 0);
  ParallelFor(count, ThreadCount(0), [&](size_t i, int) {
    const Entry& e = table[by_size[i]];
    bad[by_size[i]] = Checksum64(bytes.substr(e.offset, e.size)) != e.checksum;
  });
  for (uint64_t s = 0; s < count; ++s) {
    if (bad[s]) {
      return error(absl::StrCat("checksum mismatch in section '", section_name(s),
                                "': the file is corrupted"));
    }
  }
  auto section = [&](uint64_t s) { return bytes.substr(table[s].offset, table[s].size); };

  // Counts, then every section's size against them.
  const absl::string_view info = section(kInfo);
  if (info.size() != kInfoBytes) return error("corrupt: info section has the wrong size");
  const auto rows = Get<uint64_t>(info, 8);
  const auto cols = Get<uint64_t>(info, 16);
  const auto nnz = Get<uint64_t>(info, 24);
  constexpr uint64_t kMax = std::numeric_limits<int32_t>::max() - 1;
  if (rows > kMax || cols > kMax || nnz > kMax || table[kIdf].size != 4 * cols ||
      table[kRowStarts].size != 4 * (rows + 1) || table[kColumns].size != 4 * nnz ||
      table[kValues].size != 4 * nnz || table[kIds].size != 8 * rows ||
      table[kMentionStart].size % 8 != 0 || table[kMentionDoc].size % 4 != 0 ||
      table[kMentionIgnored].size % 4 != 0) {
    return error("corrupt: section sizes do not match the article, term and non-zero counts");
  }

  absl::StatusOr<EmbeddingOptions> options = ParseOptionsText(section(kOptions));
  if (!options.ok()) return error(absl::StrCat("corrupt options: ", options.status().message()));

  absl::StatusOr<StringColumn> term_column = BorrowStringTable(section(kTerms), cols, file, "term");
  absl::StatusOr<Vocabulary> terms =
      term_column.ok() ? Vocabulary::FromColumn(*std::move(term_column)) : term_column.status();
  if (!terms.ok()) {
    return error(absl::StrCat("corrupt string table in section 'terms': ", terms.status().message()));
  }
  absl::StatusOr<Embeddings> embeddings = Embeddings::FromParts(
      *options, *std::move(terms), Borrow<float>(section(kIdf), file),
      {static_cast<int32_t>(rows), static_cast<int32_t>(cols), Borrow<int32_t>(section(kRowStarts), file),
       Borrow<int32_t>(section(kColumns), file), Borrow<float>(section(kValues), file)});
  if (!embeddings.ok()) return error(absl::StrCat("corrupt: ", embeddings.status().message()));

  std::array<StringColumn, 4> fields;
  for (int f = 0; f < 4; ++f) {
    const auto s = static_cast<Section>(kPaths + f);
    absl::StatusOr<StringColumn> c = BorrowStringTable(section(s), rows, file);
    if (!c.ok()) {
      return error(absl::StrCat("corrupt string table in section '", kSectionNames[s],
                                "': ", c.status().message()));
    }
    fields[f] = *std::move(c);
  }
  // Same counts by construction, so this cannot fail.
  ArticleTable articles =
      *ArticleTable::FromParts(Borrow<int64_t>(section(kIds), file), std::move(fields[0]),
                               std::move(fields[1]), std::move(fields[2]), std::move(fields[3]));
  absl::StatusOr<Mentions> mentions = Mentions::FromParts(
      static_cast<int32_t>(rows), Borrow<int64_t>(section(kMentionStart), file),
      Borrow<int32_t>(section(kMentionDoc), file), Borrow<int32_t>(section(kMentionIgnored), file));
  if (!mentions.ok()) return error(absl::StrCat("corrupt: ", mentions.status().message()));
  LoadedSnapshot loaded{*std::move(embeddings), std::move(articles), *std::move(mentions),
                        {version, Get<uint64_t>(preamble, 24), Get<int64_t>(info, 0), bytes.size()},
                        {}, file};
  for (uint64_t s = kNumSections; s < count; ++s) loaded.extra.push_back(section(s));
  return loaded;
}

}  // namespace seealso
