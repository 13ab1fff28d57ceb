// An in-memory index over normalized names: an exact-key table and a fuzzy index over word tokens
// (IDF-weighted) and character trigrams. Similarity is a number in [0,1] comparable across
// queries: 0.5 * IDF-weighted token Dice + 0.5 * trigram Dice; exact key matches are 1.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mapping/text_normalizer.h"

namespace mlw::mapping {

class TextIndex {
 public:
  struct Hit {
    uint32_t doc;
    float similarity;
  };

  // Adds a document that stands for `payload` (an entry index). REQUIRES: before Finish().
  uint32_t Add(const NormalizedName& name, uint32_t payload);
  // Builds postings and weights. REQUIRES: called once, after all Add() calls.
  void Finish();

  // Documents whose normalized key equals `key`; nullptr when none.
  const std::vector<uint32_t>* ExactDocs(const std::string& key) const;
  // Leaves documents out of Search() results; used by calibration to simulate names and codes the
  // index has never seen.
  struct Exclusion {
    uint32_t payload = UINT32_MAX;  // every document of this payload
    uint64_t key_hash = 0;          // every document whose key hashes to this (0: none)
  };
  // Up to `max_hits` documents by decreasing similarity (> 0).
  // Thread-safe after Finish(): uses thread-local scratch space.
  void Search(const NormalizedName& query, size_t max_hits, std::vector<Hit>* out,
              const Exclusion& exclusion) const;
  static uint64_t KeyHash(const std::string& key);

  uint32_t payload(uint32_t doc) const { return payloads_[doc]; }
  size_t num_docs() const { return payloads_.size(); }
  size_t MemoryBytes() const;

 private:
  static void Trigrams(const std::string& text, std::vector<uint32_t>* out);
  uint32_t TokenId(const std::string& token);  // interning during Add()

  std::vector<uint32_t> payloads_;
  std::vector<uint64_t> doc_key_hash_;
  std::unordered_map<std::string, std::vector<uint32_t>> exact_;
  std::unordered_map<std::string, uint32_t> token_ids_;
  std::unordered_map<uint32_t, uint32_t> trigram_ids_;  // packed trigram -> dense id

  // Per-document sorted unique token ids and trigram ids (CSR layout).
  std::vector<uint32_t> doc_token_begin_, doc_tokens_;
  std::vector<uint32_t> doc_tri_count_;
  std::vector<uint32_t> doc_tri_begin_, doc_tris_;
  std::vector<float> doc_idf_sum_;
  // Postings (CSR): token id -> docs, trigram id -> docs.
  std::vector<uint32_t> token_post_begin_, token_post_;
  std::vector<uint32_t> tri_post_begin_, tri_post_;
  std::vector<float> token_idf_;
  float max_idf_ = 1;
};

}  // namespace mlw::mapping
