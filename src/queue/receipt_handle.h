// Receipt handles of the embedded backends: an opaque token naming one receive of one message.
// It carries the queue id, the message's row id and a random per-receive nonce; the backend keeps
// the nonce of the latest receive, so a handle from an earlier receive no longer matches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlw::queue {

struct ReceiptHandle {
  int64_t queue_id = 0;
  int64_t message_seq = 0;
  uint64_t nonce = 0;
  bool operator==(const ReceiptHandle&) const = default;
};

// URL-safe base64 (no padding) of a version byte and the three fields; 34 characters.
std::string EncodeReceiptHandle(const ReceiptHandle& handle);
// nullopt for anything EncodeReceiptHandle did not produce.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

// A random 64-bit value from a per-thread generator seeded by std::random_device; for nonces.
uint64_t RandomU64();
// A random (version 4) UUID in its 36-character text form; for message ids and task handles.
std::string RandomUuid();

}  // namespace mlw::queue
