#include "embeddings/snapshot.h"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <limits>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/atomic_file.h"
#include "common/checksum.h"

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
  kIds, kPaths, kTitles, kSubjects, kUrls, kNumSections,
};
constexpr std::array<const char*, kNumSections> kSectionNames = {
    "options", "info", "terms", "idf", "row_starts", "columns", "values",
    "article_ids", "article_paths", "article_titles", "article_subjects", "article_urls"};
constexpr uint64_t kTableBytes = 8 + kNumSections * kEntryBytes;
constexpr uint64_t kInfoBytes = 32;  // build time, rows, columns, non-zeros

// --- EmbeddingOptions as "key=value" lines -------------------------------
// Keys are the configuration file's (docs/configuration.md). A key missing
// from a file keeps its default, so adding an option only needs a row here
// (and a default that reproduces the behaviour of builds without it).

using OptionRef = std::variant<bool& (*)(EmbeddingOptions&), int& (*)(EmbeddingOptions&),
                               double& (*)(EmbeddingOptions&),
                               FieldCombination& (*)(EmbeddingOptions&)>;
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
      {"tfidf.sublinear_tf", +[](O& o) -> bool& { return o.tfidf.sublinear_tf; }},
      {"tfidf.smooth_idf", +[](O& o) -> bool& { return o.tfidf.smooth_idf; }},
      {"tfidf.min_df", +[](O& o) -> int& { return o.tfidf.min_df; }},
      {"tfidf.max_df", +[](O& o) -> double& { return o.tfidf.max_df; }},
      {"tfidf.bigram_min_df", +[](O& o) -> int& { return o.tfidf.bigram_min_df; }},
      {"tfidf.bigram_weight", +[](O& o) -> double& { return o.tfidf.bigram_weight; }},
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

// A string table: count + 1 uint64 offsets into the bytes that follow.
template <typename GetString>
std::string StringTable(size_t count, GetString get) {
  std::string out;
  uint64_t offset = 0;
  Put<uint64_t>(&out, 0);
  for (size_t i = 0; i < count; ++i) Put<uint64_t>(&out, offset += get(i).size());
  for (size_t i = 0; i < count; ++i) out += get(i);
  return out;
}

// --- Reading ----------------------------------------------------------------

class SnapshotFile {
 public:
  explicit SnapshotFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~SnapshotFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  SnapshotFile(const SnapshotFile&) = delete;
  SnapshotFile& operator=(const SnapshotFile&) = delete;

  absl::Status Open() {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      return absl::NotFoundError(absl::StrCat(path_.string(), ": cannot open: ", std::strerror(errno)));
    }
    if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(path_.string() + ": not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
    return absl::OkStatus();
  }
  uint64_t size() const { return size_; }

  // Reads [offset, offset + n), which the caller has checked lies in the file.
  absl::Status ReadAt(uint64_t offset, uint64_t n, void* dst) const {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
      const ssize_t got = ::pread(fd_, out, std::min<uint64_t>(n, 1 << 30), static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        return got < 0 ? absl::DataLossError(absl::StrCat(path_.string(), ": read failed: ", std::strerror(errno)))
                       : Error("truncated while reading");
      }
      out += got;
      offset += static_cast<uint64_t>(got);
      n -= static_cast<uint64_t>(got);
    }
    return absl::OkStatus();
  }

  absl::Status Error(absl::string_view what) const {
    return absl::DataLossError(absl::StrCat(path_.string(), ": ", what));
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

struct Entry {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;
};

// Reads section `s` into `dst` (entry.size bytes) and verifies its checksum.
absl::Status ReadSection(const SnapshotFile& file, const std::array<Entry, kNumSections>& table,
                         Section s, void* dst) {
  const Entry& e = table[s];
  if (absl::Status st = file.ReadAt(e.offset, e.size, dst); !st.ok()) return st;
  if (Checksum64(absl::string_view(static_cast<const char*>(dst), e.size)) != e.checksum) {
    return file.Error(absl::StrCat("checksum mismatch in section '", kSectionNames[s],
                                   "': the file is corrupted"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSectionString(const SnapshotFile& file,
                                              const std::array<Entry, kNumSections>& table,
                                              Section s) {
  std::string bytes(table[s].size, '\0');
  if (absl::Status st = ReadSection(file, table, s, bytes.data()); !st.ok()) return st;
  return bytes;
}

// Splits a string table of `count` strings; false if it is malformed.
bool ParseStringTable(absl::string_view bytes, uint64_t count, std::vector<std::string>* out) {
  if (bytes.size() / 8 <= count) return false;
  const uint64_t head = 8 * (count + 1);
  const uint64_t blob = bytes.size() - head;
  if (Get<uint64_t>(bytes, 0) != 0 || Get<uint64_t>(bytes, 8 * count) != blob) return false;
  out->reserve(count);
  uint64_t begin = 0;
  for (uint64_t i = 1; i <= count; ++i) {
    const uint64_t end = Get<uint64_t>(bytes, 8 * i);
    if (end < begin || end > blob) return false;
    out->emplace_back(bytes.substr(head + begin, end - begin));
    begin = end;
  }
  return true;
}

}  // namespace

absl::Status WriteSnapshot(const std::filesystem::path& path, const Embeddings& embeddings,
                           const std::vector<Article>& articles) {
  const SparseMatrix& m = embeddings.matrix();
  if (static_cast<size_t>(m.rows()) != articles.size() || !m.isCompressed()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": ", articles.size(),
                                                   " articles for ", m.rows(), " matrix rows"));
  }
  const auto rows = static_cast<size_t>(m.rows());
  const auto nnz = static_cast<size_t>(m.nonZeros());
  const Vocabulary& terms = embeddings.terms();

  std::string info;
  Put<int64_t>(&info, static_cast<int64_t>(std::time(nullptr)));
  Put<uint64_t>(&info, rows);
  Put<uint64_t>(&info, terms.size());
  Put<uint64_t>(&info, nnz);
  std::vector<int64_t> ids(rows);
  for (size_t i = 0; i < rows; ++i) ids[i] = articles[i].id;
  auto table_of = [&](std::string Article::*field) {
    return StringTable(rows, [&](size_t i) -> const std::string& { return articles[i].*field; });
  };
  const std::array<std::string, 6> built = {
      OptionsText(embeddings.options()),
      // The vocabulary's own layout is the string table's.
      absl::StrCat(Bytes(terms.offsets().data(), terms.offsets().size()), terms.blob()),
      table_of(&Article::path), table_of(&Article::title), table_of(&Article::subject),
      table_of(&Article::url)};
  // The large arrays go to the file straight from memory.
  std::array<absl::string_view, kNumSections> sections;
  sections[kOptions] = built[0];
  sections[kInfo] = info;
  sections[kTerms] = built[1];
  sections[kIdf] = Bytes(embeddings.idf().data(), embeddings.idf().size());
  sections[kRowStarts] = Bytes(m.outerIndexPtr(), rows + 1);
  sections[kColumns] = Bytes(m.innerIndexPtr(), nnz);
  sections[kValues] = Bytes(m.valuePtr(), nnz);
  sections[kIds] = Bytes(ids.data(), rows);
  sections[kPaths] = built[2];
  sections[kTitles] = built[3];
  sections[kSubjects] = built[4];
  sections[kUrls] = built[5];

  std::string table;
  Put<uint32_t>(&table, kNumSections);
  Put<uint32_t>(&table, 0);
  uint64_t offset = kPreambleBytes + kTableBytes;
  for (uint32_t s = 0; s < kNumSections; ++s) {
    Put<uint32_t>(&table, s + 1);
    Put<uint32_t>(&table, 0);
    Put<uint64_t>(&table, offset);
    Put<uint64_t>(&table, sections[s].size());
    Put<uint64_t>(&table, Checksum64(sections[s]));
    offset += sections[s].size();
  }
  std::string preamble(kMagic, sizeof(kMagic));
  Put<uint32_t>(&preamble, kSnapshotFormatVersion);
  Put<uint32_t>(&preamble, kByteOrderMark);
  Put<uint64_t>(&preamble, offset);
  Put<uint64_t>(&preamble, Checksum64(table));

  std::vector<absl::string_view> pieces = {preamble, table};
  pieces.insert(pieces.end(), sections.begin(), sections.end());
  return WriteFileAtomically(path, pieces);
}

absl::StatusOr<LoadedSnapshot> ReadSnapshot(const std::filesystem::path& path) {
  SnapshotFile file(path);
  if (absl::Status s = file.Open(); !s.ok()) return s;
  const std::string name = path.string();

  // The preamble: each field is checked on its own, most telling first.
  std::string preamble(std::min<uint64_t>(file.size(), kPreambleBytes), '\0');
  if (absl::Status s = file.ReadAt(0, preamble.size(), preamble.data()); !s.ok()) return s;
  const size_t magic_seen = std::min(preamble.size(), sizeof(kMagic));
  if (magic_seen == 0 || std::memcmp(preamble.data(), kMagic, magic_seen) != 0) {
    return absl::InvalidArgumentError(name + ": not a seealso snapshot (bad magic number)");
  }
  if (preamble.size() < kPreambleBytes) {
    return file.Error(absl::StrCat("truncated: ", file.size(), " bytes, shorter than the header"));
  }
  const auto bom = Get<uint32_t>(preamble, 12);
  if (bom != kByteOrderMark) {
    return bom == kByteOrderMarkSwapped
               ? absl::FailedPreconditionError(name + ": snapshot written in big-endian byte order")
               : file.Error("corrupt header: bad byte-order mark");
  }
  const auto version = Get<uint32_t>(preamble, 8);
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(name, ": snapshot format version ", version,
                                                      ", this build reads ",
                                                      kSnapshotFormatVersion));
  }
  const auto declared = Get<uint64_t>(preamble, 16);
  if (declared != file.size()) {
    return file.Error(absl::StrCat(declared > file.size() ? "truncated: " : "trailing bytes: ",
                                   file.size(), " bytes, the header says ", declared));
  }

  // The section table, then the place of each section: back to back, in order.
  std::string table_bytes(std::min<uint64_t>(file.size() - kPreambleBytes, kTableBytes), '\0');
  if (absl::Status s = file.ReadAt(kPreambleBytes, table_bytes.size(), table_bytes.data()); !s.ok()) {
    return s;
  }
  if (table_bytes.size() < kTableBytes || Get<uint32_t>(table_bytes, 0) != kNumSections ||
      Checksum64(table_bytes) != Get<uint64_t>(preamble, 24)) {
    return file.Error("checksum mismatch in the section table: the file is corrupted");
  }
  std::array<Entry, kNumSections> table;
  uint64_t end = kPreambleBytes + kTableBytes;
  for (uint32_t s = 0; s < kNumSections; ++s) {
    const size_t at = 8 + s * kEntryBytes;
    Entry& e = table[s];
    e = {Get<uint64_t>(table_bytes, at + 8), Get<uint64_t>(table_bytes, at + 16),
         Get<uint64_t>(table_bytes, at + 24)};
    if (Get<uint32_t>(table_bytes, at) != s + 1 || e.offset != end || e.size > file.size() - end) {
      return file.Error(absl::StrCat("corrupt section table at section ", kSectionNames[s]));
    }
    end += e.size;
  }
  if (end != file.size()) return file.Error("corrupt section table: sections do not fill the file");

  // Counts, then every section's size against them before anything is allocated.
  absl::StatusOr<std::string> info = ReadSectionString(file, table, kInfo);
  if (!info.ok()) return info.status();
  if (info->size() != kInfoBytes) return file.Error("corrupt: info section has the wrong size");
  const auto rows = Get<uint64_t>(*info, 8);
  const auto cols = Get<uint64_t>(*info, 16);
  const auto nnz = Get<uint64_t>(*info, 24);
  constexpr uint64_t kMax = std::numeric_limits<int32_t>::max() - 1;
  if (rows > kMax || cols > kMax || nnz > kMax || table[kIdf].size != 4 * cols ||
      table[kRowStarts].size != 4 * (rows + 1) || table[kColumns].size != 4 * nnz ||
      table[kValues].size != 4 * nnz || table[kIds].size != 8 * rows) {
    return file.Error("corrupt: section sizes do not match the article, term and non-zero counts");
  }

  absl::StatusOr<std::string> options_text = ReadSectionString(file, table, kOptions);
  if (!options_text.ok()) return options_text.status();
  absl::StatusOr<EmbeddingOptions> options = ParseOptionsText(*options_text);
  if (!options.ok()) return file.Error(absl::StrCat("corrupt options: ", options.status().message()));

  auto read_strings = [&](Section s, uint64_t count,
                          std::vector<std::string>* out) -> absl::Status {
    absl::StatusOr<std::string> bytes = ReadSectionString(file, table, s);
    if (!bytes.ok()) return bytes.status();
    if (!ParseStringTable(*bytes, count, out)) {
      return file.Error(absl::StrCat("corrupt string table in section '", kSectionNames[s], "'"));
    }
    return absl::OkStatus();
  };
  // The terms section is the vocabulary's layout: offsets, then bytes.
  absl::StatusOr<std::string> term_bytes = ReadSectionString(file, table, kTerms);
  if (!term_bytes.ok()) return term_bytes.status();
  if (term_bytes->size() / 8 <= cols) return file.Error("corrupt string table in section 'terms'");
  std::vector<uint64_t> term_offsets(cols + 1);
  std::memcpy(term_offsets.data(), term_bytes->data(), 8 * (cols + 1));
  absl::StatusOr<Vocabulary> terms =
      Vocabulary::FromParts(std::move(term_offsets), term_bytes->substr(8 * (cols + 1)));
  if (!terms.ok()) {
    return file.Error(absl::StrCat("corrupt string table in section 'terms': ", terms.status().message()));
  }
  term_bytes->clear();
  term_bytes->shrink_to_fit();
  std::vector<float> idf(cols);
  if (absl::Status s = ReadSection(file, table, kIdf, idf.data()); !s.ok()) return s;
  SparseMatrix matrix(static_cast<int32_t>(rows), static_cast<int32_t>(cols));
  matrix.resizeNonZeros(static_cast<int32_t>(nnz));
  if (absl::Status s = ReadSection(file, table, kRowStarts, matrix.outerIndexPtr()); !s.ok()) return s;
  if (absl::Status s = ReadSection(file, table, kColumns, matrix.innerIndexPtr()); !s.ok()) return s;
  if (absl::Status s = ReadSection(file, table, kValues, matrix.valuePtr()); !s.ok()) return s;
  absl::StatusOr<Embeddings> embeddings =
      Embeddings::FromParts(*options, *std::move(terms), std::move(idf), std::move(matrix));
  if (!embeddings.ok()) return file.Error(absl::StrCat("corrupt: ", embeddings.status().message()));

  std::vector<int64_t> ids(rows);
  if (absl::Status s = ReadSection(file, table, kIds, ids.data()); !s.ok()) return s;
  std::array<std::vector<std::string>, 4> fields;
  for (int f = 0; f < 4; ++f) {
    const auto s = static_cast<Section>(kPaths + f);
    if (absl::Status st = read_strings(s, rows, &fields[f]); !st.ok()) return st;
  }
  LoadedSnapshot loaded{*std::move(embeddings), std::vector<Article>(rows),
                        {version, Get<uint64_t>(preamble, 24), Get<int64_t>(*info, 0), file.size()}};
  for (size_t i = 0; i < rows; ++i) {
    Article& a = loaded.articles[i];
    a.id = ids[i];
    a.path = std::move(fields[0][i]);
    a.title = std::move(fields[1][i]);
    a.subject = std::move(fields[2][i]);
    a.url = std::move(fields[3][i]);
  }
  return loaded;
}

}  // namespace seealso
