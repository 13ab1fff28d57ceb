#include "mapping/text_index.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace mlw::mapping {
namespace {

struct Scratch {
  std::vector<uint16_t> shared_tris;
  std::vector<float> shared_idf;
  std::vector<uint32_t> touched;
};

}  // namespace

uint64_t TextIndex::KeyHash(const std::string& key) {
  uint64_t h = std::hash<std::string>{}(key);
  return h == 0 ? 1 : h;
}

void TextIndex::Trigrams(const std::string& text, std::vector<uint32_t>* out) {
  out->clear();
  std::string padded = " " + text + " ";
  for (size_t i = 0; i + 3 <= padded.size(); ++i) {
    uint32_t t = (static_cast<uint32_t>(static_cast<unsigned char>(padded[i])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 1])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 2]));
    out->push_back(t);
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

uint32_t TextIndex::TokenId(const std::string& token) {
  auto [it, inserted] = token_ids_.try_emplace(token, static_cast<uint32_t>(token_ids_.size()));
  return it->second;
}

uint32_t TextIndex::Add(const NormalizedName& name, uint32_t payload) {
  uint32_t doc = static_cast<uint32_t>(payloads_.size());
  payloads_.push_back(payload);
  doc_key_hash_.push_back(KeyHash(name.key));
  exact_[name.key].push_back(doc);

  doc_token_begin_.push_back(static_cast<uint32_t>(doc_tokens_.size()));
  std::vector<uint32_t> ids;
  for (const std::string& t : name.tokens) ids.push_back(TokenId(t));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  doc_tokens_.insert(doc_tokens_.end(), ids.begin(), ids.end());

  doc_tri_begin_.push_back(static_cast<uint32_t>(doc_tris_.size()));
  std::vector<uint32_t> tris;
  Trigrams(name.text, &tris);
  for (uint32_t t : tris) {
    auto [it, inserted] =
        trigram_ids_.try_emplace(t, static_cast<uint32_t>(trigram_ids_.size()));
    doc_tris_.push_back(it->second);
  }
  std::sort(doc_tris_.begin() + doc_tri_begin_.back(), doc_tris_.end());
  doc_tri_count_.push_back(static_cast<uint32_t>(tris.size()));
  return doc;
}

void TextIndex::Finish() {
  size_t n = payloads_.size();
  doc_token_begin_.push_back(static_cast<uint32_t>(doc_tokens_.size()));
  doc_tri_begin_.push_back(static_cast<uint32_t>(doc_tris_.size()));

  auto build_postings = [n](const std::vector<uint32_t>& begin, const std::vector<uint32_t>& ids,
                            size_t vocab, std::vector<uint32_t>* post_begin,
                            std::vector<uint32_t>* post) {
    std::vector<uint32_t> counts(vocab + 1, 0);
    for (uint32_t id : ids) ++counts[id + 1];
    for (size_t i = 1; i <= vocab; ++i) counts[i] += counts[i - 1];
    *post_begin = counts;
    post->assign(ids.size(), 0);
    std::vector<uint32_t> fill(counts.begin(), counts.end() - 1);
    for (size_t d = 0; d < n; ++d) {
      for (uint32_t i = begin[d]; i < begin[d + 1]; ++i) (*post)[fill[ids[i]]++] = d;
    }
  };
  build_postings(doc_token_begin_, doc_tokens_, token_ids_.size(), &token_post_begin_,
                 &token_post_);
  build_postings(doc_tri_begin_, doc_tris_, trigram_ids_.size(), &tri_post_begin_, &tri_post_);

  token_idf_.assign(token_ids_.size(), 0);
  max_idf_ = 1;
  for (size_t t = 0; t < token_ids_.size(); ++t) {
    double df = token_post_begin_[t + 1] - token_post_begin_[t];
    token_idf_[t] = static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5)));
    max_idf_ = std::max(max_idf_, token_idf_[t]);
  }
  doc_idf_sum_.assign(n, 0);
  for (size_t d = 0; d < n; ++d) {
    for (uint32_t i = doc_token_begin_[d]; i < doc_token_begin_[d + 1]; ++i) {
      doc_idf_sum_[d] += token_idf_[doc_tokens_[i]];
    }
  }
}

const std::vector<uint32_t>* TextIndex::ExactDocs(const std::string& key) const {
  auto it = exact_.find(key);
  return it == exact_.end() ? nullptr : &it->second;
}

void TextIndex::Search(const NormalizedName& query, size_t max_hits, std::vector<Hit>* out,
                       const Exclusion& exclusion) const {
  out->clear();
  if (query.tokens.empty() || payloads_.empty()) return;
  thread_local Scratch scratch;
  if (scratch.shared_tris.size() < payloads_.size()) {
    scratch.shared_tris.assign(payloads_.size(), 0);
    scratch.shared_idf.assign(payloads_.size(), 0);
  }
  scratch.touched.clear();

  // Query token weights; words the index has never seen count as maximally rare.
  float query_idf_sum = 0;
  std::vector<uint32_t> seen_tokens;
  for (const std::string& t : query.tokens) {
    auto it = token_ids_.find(t);
    if (it == token_ids_.end()) {
      query_idf_sum += max_idf_;
      continue;
    }
    if (std::find(seen_tokens.begin(), seen_tokens.end(), it->second) != seen_tokens.end()) {
      continue;
    }
    seen_tokens.push_back(it->second);
    float idf = token_idf_[it->second];
    query_idf_sum += idf;
    for (uint32_t i = token_post_begin_[it->second]; i < token_post_begin_[it->second + 1]; ++i) {
      uint32_t d = token_post_[i];
      if (scratch.shared_idf[d] == 0 && scratch.shared_tris[d] == 0) scratch.touched.push_back(d);
      scratch.shared_idf[d] += idf;
    }
  }
  std::vector<uint32_t> tris;
  Trigrams(query.text, &tris);
  for (uint32_t t : tris) {
    auto it = trigram_ids_.find(t);
    if (it == trigram_ids_.end()) continue;
    for (uint32_t i = tri_post_begin_[it->second]; i < tri_post_begin_[it->second + 1]; ++i) {
      uint32_t d = tri_post_[i];
      if (scratch.shared_idf[d] == 0 && scratch.shared_tris[d] == 0) scratch.touched.push_back(d);
      if (scratch.shared_tris[d] < UINT16_MAX) ++scratch.shared_tris[d];
    }
  }
  float qtri = static_cast<float>(tris.size());
  for (uint32_t d : scratch.touched) {
    float tok = 2 * scratch.shared_idf[d] / (query_idf_sum + doc_idf_sum_[d]);
    float tri = 2 * scratch.shared_tris[d] / (qtri + static_cast<float>(doc_tri_count_[d]));
    scratch.shared_idf[d] = 0;
    scratch.shared_tris[d] = 0;
    if (payloads_[d] == exclusion.payload) continue;
    if (exclusion.key_hash != 0 && doc_key_hash_[d] == exclusion.key_hash) continue;
    float sim = 0.5f * tok + 0.5f * tri;
    if (sim > 0) out->push_back(Hit{d, sim});
  }
  auto better = [](const Hit& a, const Hit& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.doc < b.doc;
  };
  if (out->size() > max_hits) {
    std::partial_sort(out->begin(), out->begin() + static_cast<long>(max_hits), out->end(),
                      better);
    out->resize(max_hits);
  } else {
    std::sort(out->begin(), out->end(), better);
  }
}

size_t TextIndex::MemoryBytes() const {
  auto vec = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  size_t bytes = vec(payloads_) + vec(doc_key_hash_) + vec(doc_token_begin_) + vec(doc_tokens_) +
                 vec(doc_tri_count_) + vec(doc_tri_begin_) + vec(doc_tris_) +
                 vec(doc_idf_sum_) + vec(token_post_begin_) + vec(token_post_) +
                 vec(tri_post_begin_) + vec(tri_post_) + vec(token_idf_);
  for (const auto& [k, v] : exact_) bytes += k.capacity() + vec(v) + 64;
  for (const auto& [k, v] : token_ids_) bytes += k.capacity() + 48;
  bytes += trigram_ids_.size() * 32;
  return bytes;
}

}  // namespace mlw::mapping
