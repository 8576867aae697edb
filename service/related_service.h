// The RelatedArticles API as a plain class: request validation and response
// building over a RelatedIndex, with no networking. The gRPC adapter
// (service/server.h) only translates statuses.
#ifndef SEEALSO_SERVICE_RELATED_SERVICE_H_
#define SEEALSO_SERVICE_RELATED_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "scoring/related_index.h"
#include "seealso/v1/related.pb.h"

namespace seealso {

struct ServiceLimits {
  // k used when a request leaves it 0.
  int default_k = 4;
  // Largest k a request may ask for.
  int max_k = 100;
};

class RelatedService {
 public:
  // `defaults` are the scoring options a request starts from (k aside).
  RelatedService(std::shared_ptr<const RelatedIndex> index, ServiceLimits limits = {},
                 RankOptions defaults = {});

  // Fills `response` with the related articles of request.id().
  // NOT_FOUND: id not indexed. INVALID_ARGUMENT (naming the field): k or an
  // option out of range.
  absl::Status GetRelated(const v1::GetRelatedRequest& request,
                          v1::GetRelatedResponse* response) const;

  const RelatedIndex& index() const { return *index_; }

 private:
  std::shared_ptr<const RelatedIndex> index_;
  ServiceLimits limits_;
  RankOptions defaults_;
};

}  // namespace seealso

#endif  // SEEALSO_SERVICE_RELATED_SERVICE_H_
