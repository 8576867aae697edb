// One article of a content site, as read from its markdown front matter.
#ifndef SEEALSO_EMBEDDINGS_ARTICLE_H_
#define SEEALSO_EMBEDDINGS_ARTICLE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace seealso {

// A `related_articleN` block: a link from one article to another.
struct RelatedLink {
  int64_t id = 0;
  std::string title;
  std::string subject;
  std::string url;

  friend bool operator==(const RelatedLink&, const RelatedLink&) = default;
};

struct Article {
  int64_t id = 0;
  // Path of the source file relative to the corpus root ("" if not from a file).
  std::string path;
  std::string title;
  std::string subject;
  std::string url;
  std::string question;
  std::string answer;
  // seo.page_keywords and seo.page_description.
  std::string keywords;
  std::string description;
  // The existing related_article1..N blocks, in N order (gaps skipped).
  std::vector<RelatedLink> related;
};

// Empties the text fields the vectors are made of (question, answer, keywords,
// description) and returns their memory. Assigning "" would not: a
// std::string keeps its buffer when assigned an empty string (libstdc++), which
// kept every article's text alive as long as its index (heaptrack: 140 MB at
// 100,000 generated articles).
inline void ReleaseText(Article& a) {
  std::string().swap(a.question);
  std::string().swap(a.answer);
  std::string().swap(a.keywords);
  std::string().swap(a.description);
}

// ReleaseText and the metadata too (path, title, subject, url, related
// links): only the id stays. For a caller that kept the metadata elsewhere.
inline void ReleaseAllButId(Article& a) {
  ReleaseText(a);
  std::string().swap(a.path);
  std::string().swap(a.title);
  std::string().swap(a.subject);
  std::string().swap(a.url);
  std::vector<RelatedLink>().swap(a.related);
}

}  // namespace seealso

#endif  // SEEALSO_EMBEDDINGS_ARTICLE_H_
