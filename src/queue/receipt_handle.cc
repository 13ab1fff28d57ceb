#include "queue/receipt_handle.h"

#include <pthread.h>

#include <array>
#include <cstdio>
#include <atomic>
#include <random>

namespace mlw::queue {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kVersion = 1;
constexpr size_t kRawSize = 1 + 3 * 8;

void PutU64(uint64_t v, uint8_t* out) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<uint8_t>(v & 0xff);
}

uint64_t GetU64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  std::array<uint8_t, kRawSize> raw{};
  raw[0] = kVersion;
  PutU64(static_cast<uint64_t>(handle.queue_id), &raw[1]);
  PutU64(static_cast<uint64_t>(handle.message_seq), &raw[9]);
  PutU64(handle.nonce, &raw[17]);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : raw) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() != (kRawSize * 8 + 5) / 6) return std::nullopt;
  std::array<uint8_t, kRawSize> raw{};
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = DecodeChar(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == kRawSize) return std::nullopt;
      raw[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  // The leftover bits must be the zero padding the encoder writes, so each handle has one form.
  if (n != kRawSize || (acc & ((1u << bits) - 1)) != 0 || raw[0] != kVersion) return std::nullopt;
  ReceiptHandle h;
  h.queue_id = static_cast<int64_t>(GetU64(&raw[1]));
  h.message_seq = static_cast<int64_t>(GetU64(&raw[9]));
  h.nonce = GetU64(&raw[17]);
  return h;
}

namespace {
// Bumped in the child after fork(), so that generators reseed and a child never repeats its
// parent's ids.
std::atomic<uint64_t> fork_generation{0};
}  // namespace

uint64_t RandomU64() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
    return true;
  }();
  (void)registered;
  thread_local uint64_t seeded_generation = ~0ULL;
  thread_local std::mt19937_64 gen;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (seeded_generation != generation) {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    gen.seed(seq);
    seeded_generation = generation;
  }
  return gen();
}

std::string RandomUuid() {
  uint64_t hi = RandomU64();
  uint64_t lo = RandomU64();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace mlw::queue
