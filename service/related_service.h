// The RelatedArticles API as a plain class: request validation and response
// building over the serving snapshot, with no networking. The gRPC adapter
// (service/server.h) only translates statuses and streams.
#ifndef SEEALSO_SERVICE_RELATED_SERVICE_H_
#define SEEALSO_SERVICE_RELATED_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scoring/related_index.h"
#include "seealso/v1/related.pb.h"
#include "service/index_holder.h"

namespace seealso {

struct ServiceLimits {
  // k used when a request leaves it 0.
  int default_k = 4;
  // Largest k a request may ask for (RESOURCE_EXHAUSTED above).
  int max_k = 100;
  // Most ids in one BatchGetRelated (RESOURCE_EXHAUSTED above).
  int max_batch = 1000;
  // Largest request message; enforced by the transport (service/server.h),
  // reported by GetIndexInfo.
  int max_request_bytes = 1 << 20;
};

// Asked between the items of a long call: OK to go on, or the status to stop
// with (DEADLINE_EXCEEDED, CANCELLED).
using CallCheck = std::function<absl::Status()>;

// Thread-safe. Every call reads one snapshot, taken at its start.
class RelatedService {
 public:
  // `defaults` are the scoring options a request starts from (k aside).
  RelatedService(std::shared_ptr<IndexHolder> holder, ServiceLimits limits = {},
                 RankOptions defaults = {});

  // Fills `response` with the related articles of request.id() or .url().
  // NOT_FOUND: no such article. INVALID_ARGUMENT (naming the field): neither
  // set, k < 0, an option out of range. RESOURCE_EXHAUSTED: k > max_k.
  // UNAVAILABLE: no index loaded yet (the same for every call below).
  absl::Status GetRelated(const v1::GetRelatedRequest& request,
                          v1::GetRelatedResponse* response) const;

  // Related articles of a draft. INVALID_ARGUMENT if it has no text at all.
  absl::Status GetRelatedForText(const v1::GetRelatedForTextRequest& request,
                                 v1::GetRelatedForTextResponse* response) const;

  // One item per id; an unknown id is an item error, not a call error.
  // RESOURCE_EXHAUSTED: more than max_batch ids. `check` is asked between items.
  absl::Status BatchGetRelated(const v1::BatchGetRelatedRequest& request,
                               v1::BatchGetRelatedResponse* response,
                               const CallCheck& check = nullptr) const;

  // Calls `write` for every article in id order, all from one snapshot; stops
  // with CANCELLED if `write` returns false (the client went away) or with
  // the status of `check`, asked before each article.
  absl::Status StreamAllRelated(
      const v1::StreamAllRelatedRequest& request,
      const std::function<bool(const v1::StreamAllRelatedResponse&)>& write,
      const CallCheck& check = nullptr) const;

  absl::Status GetIndexInfo(const v1::GetIndexInfoRequest& request,
                            v1::GetIndexInfoResponse* response) const;

  // True if `index` has precomputed lists and a request that sets no option
  // gets them (they were made with this server's scoring defaults and k):
  // otherwise every call ranks, which is correct but far slower at scale.
  bool DefaultRequestsUseLists(const RelatedIndex& index) const;

  IndexHolder& holder() const { return *holder_; }
  const ServiceLimits& limits() const { return limits_; }

 private:
  // The request's k and options over the server defaults, validated.
  absl::StatusOr<RankOptions> Options(int32_t k, const v1::ScoringOptions& o) const;
  absl::StatusOr<std::shared_ptr<const Snapshot>> Serving() const;

  std::shared_ptr<IndexHolder> holder_;
  ServiceLimits limits_;
  RankOptions defaults_;
};

// The wire form of a snapshot version.
void ToProto(const SnapshotVersion& version, v1::SnapshotVersion* out);

}  // namespace seealso

#endif  // SEEALSO_SERVICE_RELATED_SERVICE_H_
