#include "service/related_service.h"

#include "absl/strings/str_cat.h"

namespace seealso {
namespace {

constexpr int kMaxExplainTerms = 50;

absl::Status OutOfRange(absl::string_view field, absl::string_view range, double got) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be ", range, ", got ", got));
}

}  // namespace

RelatedService::RelatedService(std::shared_ptr<const RelatedIndex> index, ServiceLimits limits,
                               RankOptions defaults)
    : index_(std::move(index)), limits_(limits), defaults_(std::move(defaults)) {}

absl::Status RelatedService::GetRelated(const v1::GetRelatedRequest& request,
                                        v1::GetRelatedResponse* response) const {
  RankOptions options = defaults_;
  options.k = request.k() == 0 ? limits_.default_k : request.k();
  if (options.k < 1 || options.k > limits_.max_k) {
    return absl::InvalidArgumentError(
        absl::StrCat("k: must be between 1 and ", limits_.max_k, " (0 = default ",
                     limits_.default_k, "), got ", request.k()));
  }
  const v1::ScoringOptions& o = request.options();
  if (o.has_min_score()) {
    if (!(o.min_score() >= 0 && o.min_score() <= 1)) {
      return OutOfRange("options.min_score", "in [0, 1]", o.min_score());
    }
    options.min_score = o.min_score();
  }
  if (o.has_same_subject_boost()) {
    if (!(o.same_subject_boost() > 0 && o.same_subject_boost() <= 100)) {
      return OutOfRange("options.same_subject_boost", "in (0, 100]", o.same_subject_boost());
    }
    options.same_subject_boost = o.same_subject_boost();
  }
  if (o.has_mmr_lambda()) {
    if (!(o.mmr_lambda() >= 0 && o.mmr_lambda() <= 1)) {
      return OutOfRange("options.mmr_lambda", "in [0, 1]", o.mmr_lambda());
    }
    options.mmr_lambda = o.mmr_lambda();
  }
  if (o.explain_terms() < 0 || o.explain_terms() > kMaxExplainTerms) {
    return OutOfRange("options.explain_terms", absl::StrCat("in [0, ", kMaxExplainTerms, "]"),
                      o.explain_terms());
  }
  options.explain_terms = o.explain_terms();
  if (o.has_keep_near_copies_of_query()) {
    options.keep_near_copies_of_query = o.keep_near_copies_of_query();
  }
  if (!o.include_subjects().empty()) {
    options.include_subjects.assign(o.include_subjects().begin(), o.include_subjects().end());
  }
  options.exclude_subjects.insert(options.exclude_subjects.end(), o.exclude_subjects().begin(),
                                  o.exclude_subjects().end());
  options.exclude_ids.insert(options.exclude_ids.end(), o.exclude_ids().begin(),
                             o.exclude_ids().end());

  const std::optional<int32_t> doc = index_->Find(request.id());
  if (!doc) return absl::NotFoundError(absl::StrCat("id: no article with id ", request.id()));

  response->set_id(request.id());
  const std::vector<std::string>& terms = index_->embeddings().terms();
  for (const Related& r : index_->TopK(*doc, options)) {
    const Article& a = index_->article(r.doc);
    v1::RelatedArticle* out = response->add_related();
    out->set_id(a.id);
    out->set_title(a.title);
    out->set_subject(a.subject);
    out->set_url(a.url);
    out->set_score(r.score);
    for (const TermContribution& t : r.explanation) {
      v1::TermContribution* e = out->add_explanation();
      e->set_term(terms[t.term]);
      e->set_contribution(t.contribution);
    }
  }
  return absl::OkStatus();
}

}  // namespace seealso
