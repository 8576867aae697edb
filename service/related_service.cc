#include "service/related_service.h"

#include "absl/strings/str_cat.h"

namespace seealso {

RelatedService::RelatedService(std::shared_ptr<const RelatedIndex> index, ServiceLimits limits)
    : index_(std::move(index)), limits_(limits) {}

absl::Status RelatedService::GetRelated(const v1::GetRelatedRequest& request,
                                        v1::GetRelatedResponse* response) const {
  const int k = request.k() == 0 ? limits_.default_k : request.k();
  if (k < 1 || k > limits_.max_k) {
    return absl::InvalidArgumentError(
        absl::StrCat("k: must be between 1 and ", limits_.max_k, " (0 = default ",
                     limits_.default_k, "), got ", request.k()));
  }
  const std::optional<int32_t> doc = index_->Find(request.id());
  if (!doc) return absl::NotFoundError(absl::StrCat("id: no article with id ", request.id()));

  response->set_id(request.id());
  for (const Related& r : index_->TopK(*doc, RankOptions{.k = k})) {
    const Article& a = index_->article(r.doc);
    v1::RelatedArticle* out = response->add_related();
    out->set_id(a.id);
    out->set_title(a.title);
    out->set_subject(a.subject);
    out->set_url(a.url);
    out->set_score(r.score);
  }
  return absl::OkStatus();
}

}  // namespace seealso
