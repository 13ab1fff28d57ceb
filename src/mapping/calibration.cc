#include "mapping/calibration.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "mapping/specimen.h"
#include "mapping/text_normalizer.h"

namespace mlw::mapping {
namespace {

std::string SpecimenWord(const CatalogEntry& e) {
  switch (SpecimenOfSystem(e.system)) {
    case Specimen::kSerumPlasma: return "serum";
    case Specimen::kWholeBlood: return "blood";
    case Specimen::kUrine: return "urine";
    case Specimen::kCsf: return "csf";
    case Specimen::kStool: return "stool";
    case Specimen::kArterial: return "arterial blood";
    case Specimen::kVenous: return "venous blood";
    default: return "";
  }
}

// A typo or a dropped word; returns the name unchanged when no perturbation applies.
std::string Perturb(const std::string& name, std::mt19937* rng) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : name) {
    if (c == ' ') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(cur);
  if (words.empty()) return name;
  int op = static_cast<int>((*rng)() % 3);
  if (op == 0 && words.size() >= 2) {
    words.erase(words.begin() + static_cast<long>((*rng)() % words.size()));
  } else {
    size_t w = (*rng)() % words.size();
    std::string& word = words[w];
    if (word.size() < 4) return name;
    size_t pos = 1 + (*rng)() % (word.size() - 2);
    if (op == 1) {
      word.erase(pos, 1);
    } else {
      std::swap(word[pos], word[pos + 1 < word.size() ? pos + 1 : pos - 1]);
    }
  }
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

bool Solve(std::vector<std::vector<double>> a, std::vector<double> b, std::vector<double>* x) {
  size_t n = b.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    }
    if (std::fabs(a[pivot][col]) < 1e-12) return false;
    std::swap(a[col], a[pivot]);
    std::swap(b[col], b[pivot]);
    for (size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      double f = a[r][col] / a[col][col];
      for (size_t c = col; c < n; ++c) a[r][c] -= f * a[col][c];
      b[r] -= f * b[col];
    }
  }
  x->resize(n);
  for (size_t i = 0; i < n; ++i) (*x)[i] = b[i] / a[i][i];
  return true;
}

}  // namespace

std::vector<CalibrationSample> GenerateCalibrationSet(const MappingEngine& engine, uint32_t seed) {
  std::vector<CalibrationSample> out;
  std::mt19937 rng(seed);
  const auto& entries = engine.catalog().entries();
  auto record = [&](const LabTestQuery& q, const TextIndex::Exclusion& ex, const std::string& code,
                    const char* kind) {
    std::vector<CandidateEvidence> ranked = engine.Rank(q, ex);
    if (ranked.empty()) return;
    const CandidateEvidence& top = ranked.front();
    CalibrationSample s;
    s.features = ConfidenceFeatures{top.similarity, top.margin, top.exact ? 1.0 : 0.0,
                                    static_cast<double>(top.unit),
                                    static_cast<double>(top.specimen)};
    // A printed name that is, after normalization, exactly a catalog name of the answer, with a
    // compatible unit and specimen, is a correct reading of the report even when the generator
    // started from a sibling code (a dropped word, or a code missing from the index).
    s.correct = entries[top.entry].code == code ||
                (top.exact && top.unit >= 0 && top.specimen >= 0);
    s.kind = kind;
    out.push_back(std::move(s));
  };
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const CatalogEntry& e = entries[i];
    if (!e.curated) continue;
    for (size_t j = 0; j < e.names.size(); ++j) {
      LabTestQuery q;
      q.name = e.names[j];
      q.unit = e.units.empty() ? "" : e.units[j % e.units.size()];
      q.specimen = j % 2 == 0 ? SpecimenWord(e) : "";
      record(q, TextIndex::Exclusion{}, e.code, "seen");
      TextIndex::Exclusion unseen;
      unseen.key_hash = TextIndex::KeyHash(Normalize(q.name).key);
      record(q, unseen, e.code, "unseen");
      LabTestQuery p = q;
      p.name = Perturb(q.name, &rng);
      if (p.name != q.name) record(p, TextIndex::Exclusion{}, e.code, "perturbed");
      if (j == 0) {
        TextIndex::Exclusion novel;
        novel.payload = i;
        record(q, novel, e.code, "novel");
      }
    }
  }
  return out;
}

ConfidenceWeights FitConfidenceWeights(const std::vector<CalibrationSample>& samples, double l2) {
  constexpr size_t n = kNumConfidenceWeights;
  std::vector<double> w(n, 0.0);
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<double> grad(n, 0.0);
    std::vector<std::vector<double>> hess(n, std::vector<double>(n, 0.0));
    for (const CalibrationSample& s : samples) {
      auto x = FeatureVector(s.features);
      double z = 0;
      for (size_t k = 0; k < n; ++k) z += w[k] * x[k];
      double p = 1 / (1 + std::exp(-z));
      double y = s.correct ? 1 : 0;
      for (size_t a = 0; a < n; ++a) {
        grad[a] += (p - y) * x[a];
        for (size_t b = 0; b < n; ++b) hess[a][b] += p * (1 - p) * x[a] * x[b];
      }
    }
    for (size_t a = 1; a < n; ++a) {  // the bias is not regularised
      grad[a] += l2 * samples.size() * w[a];
      hess[a][a] += l2 * samples.size();
    }
    std::vector<double> step;
    if (!Solve(hess, grad, &step)) break;
    double change = 0;
    for (size_t k = 0; k < n; ++k) {
      w[k] -= step[k];
      change = std::max(change, std::fabs(step[k]));
    }
    if (change < 1e-8) break;
  }
  ConfidenceWeights out{};
  for (size_t k = 0; k < n; ++k) out[k] = w[k];
  return out;
}

CalibrationReport EvaluateCalibration(const std::vector<CalibrationSample>& samples,
                                      const ConfidenceWeights& weights, double target_precision) {
  CalibrationReport r;
  r.weights = weights;
  r.samples = samples.size();
  r.target_precision = target_precision;
  std::vector<std::pair<double, bool>> scored;
  size_t total_correct = 0;
  for (const CalibrationSample& s : samples) {
    scored.emplace_back(Confidence(s.features, weights), s.correct);
    total_correct += s.correct;
  }
  constexpr int kBins = 10;
  r.bins.resize(kBins);
  for (int b = 0; b < kBins; ++b) {
    r.bins[b].lower = b / double(kBins);
    r.bins[b].upper = (b + 1) / double(kBins);
  }
  for (const auto& [p, ok] : scored) {
    int b = std::min(kBins - 1, static_cast<int>(p * kBins));
    r.bins[b].count++;
    r.bins[b].mean_confidence += p;
    r.bins[b].accuracy += ok ? 1 : 0;
  }
  for (ReliabilityBin& b : r.bins) {
    if (b.count == 0) continue;
    b.mean_confidence /= b.count;
    b.accuracy /= b.count;
    r.expected_calibration_error +=
        std::fabs(b.mean_confidence - b.accuracy) * b.count / double(scored.size());
  }
  // Walk from the most confident down; the threshold is the lowest cut at which precision of
  // everything above it still meets the target, with every higher cut also meeting it.
  std::sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
  size_t accepted = 0, accepted_ok = 0;
  double threshold = 1.0;
  size_t best_accepted = 0, best_ok = 0;
  for (size_t i = 0; i < scored.size(); ++i) {
    ++accepted;
    accepted_ok += scored[i].second;
    bool tie_next = i + 1 < scored.size() && scored[i + 1].first == scored[i].first;
    if (tie_next) continue;
    if (accepted_ok < target_precision * accepted) break;
    threshold = scored[i].first;
    best_accepted = accepted;
    best_ok = accepted_ok;
  }
  r.threshold = threshold;
  r.precision_at_threshold = best_accepted ? double(best_ok) / best_accepted : 0;
  r.coverage_at_threshold = total_correct ? double(best_ok) / total_correct : 0;
  return r;
}

}  // namespace mlw::mapping
