#include "embeddings/article_table.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace seealso {

ArticleTable ArticleTable::Of(const std::vector<Article>& articles) {
  ArticleTable t;
  std::vector<int64_t> ids(articles.size());
  for (size_t i = 0; i < articles.size(); ++i) ids[i] = articles[i].id;
  t.ids_ = FrozenArray<int64_t>(std::move(ids));
  // Sized exactly first, so no column is copied while it grows.
  auto column = [&](std::string Article::*field) {
    size_t bytes = 0;
    for (const Article& a : articles) bytes += (a.*field).size();
    StringColumnBuilder b;
    b.Reserve(articles.size(), bytes);
    for (const Article& a : articles) b.Add(a.*field);
    return b.Finish();
  };
  t.paths_ = column(&Article::path);
  t.titles_ = column(&Article::title);
  t.subjects_ = column(&Article::subject);
  t.urls_ = column(&Article::url);
  size_t links = 0;
  for (const Article& a : articles) links += a.related.size();
  if (links > 0) {
    std::vector<uint64_t> start = {0};
    std::vector<int64_t> related;
    start.reserve(articles.size() + 1);
    related.reserve(links);
    for (const Article& a : articles) {
      for (const RelatedLink& l : a.related) related.push_back(l.id);
      start.push_back(related.size());
    }
    t.related_start_ = FrozenArray<uint64_t>(std::move(start));
    t.related_ = FrozenArray<int64_t>(std::move(related));
  }
  return t;
}

absl::StatusOr<ArticleTable> ArticleTable::FromParts(FrozenArray<int64_t> ids, StringColumn paths,
                                                     StringColumn titles, StringColumn subjects,
                                                     StringColumn urls) {
  const size_t n = ids.size();
  if (paths.size() != n || titles.size() != n || subjects.size() != n || urls.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(n, " article ids, but ", paths.size(), " paths, ", titles.size(), " titles, ",
                     subjects.size(), " subjects and ", urls.size(), " urls"));
  }
  ArticleTable t;
  t.ids_ = std::move(ids);
  t.paths_ = std::move(paths);
  t.titles_ = std::move(titles);
  t.subjects_ = std::move(subjects);
  t.urls_ = std::move(urls);
  return t;
}

absl::Span<const int64_t> ArticleTable::related_ids(size_t i) const {
  if (related_start_.empty()) return {};
  return related_.span().subspan(related_start_[i], related_start_[i + 1] - related_start_[i]);
}

}  // namespace seealso
