#include "service/related_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace seealso {
namespace {

constexpr int kMaxExplainTerms = 50;

absl::Status OutOfRange(absl::string_view field, absl::string_view range, double got) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be ", range, ", got ", got));
}

void FillRelated(const RelatedIndex& index, const std::vector<Related>& related,
                 google::protobuf::RepeatedPtrField<v1::RelatedArticle>* out) {
  const Vocabulary& terms = index.embeddings().terms();
  out->Reserve(static_cast<int>(related.size()));
  for (const Related& r : related) {
    const ArticleMeta a = index.article(r.doc);
    v1::RelatedArticle* o = out->Add();
    o->set_id(a.id);
    o->set_title(a.title.data(), a.title.size());
    o->set_subject(a.subject.data(), a.subject.size());
    o->set_url(a.url.data(), a.url.size());
    o->set_score(r.score);
    o->set_mentioned(r.mentioned);
    for (const TermContribution& t : r.explanation) {
      v1::TermContribution* e = o->add_explanation();
      e->set_term(std::string(terms[t.term]));
      e->set_contribution(t.contribution);
    }
  }
}

}  // namespace

void ToProto(const SnapshotVersion& version, v1::SnapshotVersion* out) {
  out->set_generation(version.generation);
  out->set_checksum(version.checksum);
}

RelatedService::RelatedService(std::shared_ptr<IndexHolder> holder, ServiceLimits limits,
                               RankOptions defaults)
    : holder_(std::move(holder)), limits_(limits), defaults_(std::move(defaults)) {}

absl::StatusOr<std::shared_ptr<const Snapshot>> RelatedService::Serving() const {
  std::shared_ptr<const Snapshot> snapshot = holder_->Current();
  if (snapshot == nullptr) return absl::UnavailableError("no index loaded yet");
  return snapshot;
}

bool RelatedService::DefaultRequestsUseLists(const RelatedIndex& index) const {
  absl::StatusOr<RankOptions> options = Options(0, v1::ScoringOptions());
  return options.ok() && index.ListsServe(*options);
}

absl::StatusOr<RankOptions> RelatedService::Options(int32_t k, const v1::ScoringOptions& o) const {
  RankOptions options = defaults_;
  options.k = k == 0 ? limits_.default_k : k;
  if (options.k < 1) {
    return absl::InvalidArgumentError(absl::StrCat("k: must be between 1 and ", limits_.max_k,
                                                   " (0 = default ", limits_.default_k,
                                                   "), got ", k));
  }
  if (options.k > limits_.max_k) {
    return absl::ResourceExhaustedError(
        absl::StrCat("k: at most ", limits_.max_k, " (server limit), got ", k));
  }
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
  if (o.has_mention_boost()) {
    if (!(o.mention_boost() >= 0 && o.mention_boost() <= 10)) {
      return OutOfRange("options.mention_boost", "in [0, 10]", o.mention_boost());
    }
    options.mention_boost = o.mention_boost();
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
  return options;
}

absl::Status RelatedService::GetRelated(const v1::GetRelatedRequest& request,
                                        v1::GetRelatedResponse* response) const {
  absl::StatusOr<RankOptions> options = Options(request.k(), request.options());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Serving();
  if (!snapshot.ok()) return snapshot.status();
  const Snapshot& snap = **snapshot;
  std::optional<int32_t> doc;
  switch (request.article_case()) {
    case v1::GetRelatedRequest::kId:
      doc = snap.index->Find(request.id());
      if (!doc) return absl::NotFoundError(absl::StrCat("id: no article with id ", request.id()));
      break;
    case v1::GetRelatedRequest::kUrl: {
      const std::string url = CanonicalUrl(request.url());
      if (url.empty()) return absl::InvalidArgumentError("url: must not be empty");
      auto it = snap.doc_of_url.find(url);
      if (it == snap.doc_of_url.end()) {
        return absl::NotFoundError(absl::StrCat("url: no article at ", request.url()));
      }
      doc = it->second;
      break;
    }
    case v1::GetRelatedRequest::ARTICLE_NOT_SET:
      return absl::InvalidArgumentError("id: set id or url");
  }
  response->set_id(snap.index->article(*doc).id);
  FillRelated(*snap.index, snap.index->TopK(*doc, *options), response->mutable_related());
  ToProto(snap.version, response->mutable_snapshot());
  return absl::OkStatus();
}

absl::Status RelatedService::GetRelatedForText(const v1::GetRelatedForTextRequest& request,
                                               v1::GetRelatedForTextResponse* response) const {
  if (request.title().empty() && request.question().empty() && request.text().empty() &&
      request.keywords().empty()) {
    return absl::InvalidArgumentError("text: one of title, question, text, keywords is required");
  }
  absl::StatusOr<RankOptions> options = Options(request.k(), request.options());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Serving();
  if (!snapshot.ok()) return snapshot.status();
  const Snapshot& snap = **snapshot;
  Article draft;
  draft.title = request.title();
  draft.question = request.question();
  draft.answer = request.text();
  draft.keywords = request.keywords();
  draft.subject = request.subject();
  const SparseVector query = snap.index->embeddings().Embed(draft);
  // Titles the draft's question or body names, as an indexed article's would count.
  const std::vector<int32_t> mentioned =
      options->mention_boost != 0.0f ? snap.index->MentionedIn({draft.question, draft.answer})
                                     : std::vector<int32_t>();
  FillRelated(*snap.index,
              snap.index->TopKForVector(query, draft.subject, *options, nullptr, mentioned),
              response->mutable_related());
  ToProto(snap.version, response->mutable_snapshot());
  return absl::OkStatus();
}

absl::Status RelatedService::BatchGetRelated(const v1::BatchGetRelatedRequest& request,
                                             v1::BatchGetRelatedResponse* response,
                                             const CallCheck& check) const {
  if (request.ids().empty()) return absl::InvalidArgumentError("ids: must not be empty");
  if (request.ids_size() > limits_.max_batch) {
    return absl::ResourceExhaustedError(absl::StrCat("ids: at most ", limits_.max_batch,
                                                     " per call (server limit), got ",
                                                     request.ids_size()));
  }
  absl::StatusOr<RankOptions> options = Options(request.k(), request.options());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Serving();
  if (!snapshot.ok()) return snapshot.status();
  const RelatedIndex& index = *(*snapshot)->index;
  for (int64_t id : request.ids()) {
    if (check) {
      if (absl::Status s = check(); !s.ok()) return s;
    }
    v1::BatchItem* item = response->add_items();
    item->set_id(id);
    const std::optional<int32_t> doc = index.Find(id);
    if (!doc) {
      item->mutable_error()->set_code(static_cast<int32_t>(absl::StatusCode::kNotFound));
      item->mutable_error()->set_message(absl::StrCat("id: no article with id ", id));
      continue;
    }
    FillRelated(index, index.TopK(*doc, *options), item->mutable_related());
  }
  ToProto((*snapshot)->version, response->mutable_snapshot());
  return absl::OkStatus();
}

absl::Status RelatedService::StreamAllRelated(
    const v1::StreamAllRelatedRequest& request,
    const std::function<bool(const v1::StreamAllRelatedResponse&)>& write,
    const CallCheck& check) const {
  absl::StatusOr<RankOptions> options = Options(request.k(), request.options());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Serving();
  if (!snapshot.ok()) return snapshot.status();
  const RelatedIndex& index = *(*snapshot)->index;
  v1::StreamAllRelatedResponse message;
  for (int32_t doc = 0; doc < index.size(); ++doc) {
    if (check) {
      if (absl::Status s = check(); !s.ok()) return s;
    }
    message.Clear();
    message.set_id(index.article(doc).id);
    FillRelated(index, index.TopK(doc, *options), message.mutable_related());
    ToProto((*snapshot)->version, message.mutable_snapshot());
    if (!write(message)) return absl::CancelledError("the client stopped reading the stream");
  }
  return absl::OkStatus();
}

absl::Status RelatedService::GetIndexInfo(const v1::GetIndexInfoRequest&,
                                          v1::GetIndexInfoResponse* response) const {
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Serving();
  if (!snapshot.ok()) return snapshot.status();
  const Snapshot& snap = **snapshot;
  const Embeddings& e = snap.index->embeddings();
  response->set_article_count(snap.index->size());
  response->set_vocabulary_size(static_cast<int32_t>(e.terms().size()));
  ToProto(snap.version, response->mutable_snapshot());
  *response->mutable_build_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(snap.built_at));
  response->set_build_seconds(snap.build_seconds);
  response->set_source(snap.source);
  v1::ServerLimits* limits = response->mutable_limits();
  limits->set_default_k(limits_.default_k);
  limits->set_max_k(limits_.max_k);
  limits->set_max_batch(limits_.max_batch);
  limits->set_max_request_bytes(limits_.max_request_bytes);
  const EmbeddingOptions& eo = e.options();
  v1::EngineConfig* engine = response->mutable_engine();
  engine->set_remove_stopwords(eo.analyzer.remove_stopwords);
  engine->set_strip_markup(eo.analyzer.strip_markup);
  engine->set_normalize(eo.analyzer.normalize);
  engine->set_fold_accents(eo.analyzer.fold_accents);
  engine->set_min_length(eo.analyzer.min_length);
  engine->set_stem(eo.analyzer.stem);
  engine->set_bigrams(eo.analyzer.bigrams);
  engine->set_sublinear_tf(eo.tfidf.sublinear_tf);
  engine->set_smooth_idf(eo.tfidf.smooth_idf);
  engine->set_min_df(eo.tfidf.min_df);
  engine->set_max_df(eo.tfidf.max_df);
  engine->set_bigram_min_df(eo.tfidf.bigram_min_df);
  engine->set_bigram_weight(eo.tfidf.bigram_weight);
  for (absl::string_view name : FieldSetNames(eo.fields.bigram_fields)) {
    engine->add_bigram_fields(std::string(name));
  }
  engine->set_mention_min_title_words(eo.mentions.min_title_words);
  engine->set_mention_max_df(eo.mentions.max_df);
  engine->set_title_mentions(snap.index->mentions().pairs());
  auto& w = *engine->mutable_field_weights();
  w["title"] = eo.fields.title;
  w["question"] = eo.fields.question;
  w["answer"] = eo.fields.answer;
  w["keywords"] = eo.fields.keywords;
  w["description"] = eo.fields.description;
  w["subject"] = eo.fields.subject;
  switch (eo.fields.combine) {
    case FieldCombination::kCounts:
      engine->set_field_combination("counts");
      break;
    case FieldCombination::kFieldTf:
      engine->set_field_combination("field_tf");
      break;
    case FieldCombination::kFieldVectors:
      engine->set_field_combination("field_vectors");
      break;
  }
  return absl::OkStatus();
}

}  // namespace seealso
