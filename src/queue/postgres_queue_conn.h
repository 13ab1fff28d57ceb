// One libpq connection with a per-connection cache of prepared statements, shared by the
// PostgreSQL queue and (through the store layer) the PostgreSQL Database.
//
// Statements are always prepared (PQprepare) and run with bound parameters (PQexecPrepared); the
// cache is keyed by SQL text plus the parameter types. Parameters: int64 is sent as int8, double as
// float8, strings and NULL with an unspecified type the server infers from context (so a string
// can fill a TEXT, BYTEA in '\x…' hex form, or any other column).
//
// Errors map to Status codes as the SQLite backends do: a lost connection or a server shutting
// down → kUnavailable reason "ConnectionLost" (broken() is then true and the connection must be
// discarded); deadlock / serialization failure / too many connections → kUnavailable
// "DatabaseBusy"; unique violation → kAlreadyExists "UniqueViolation"; other constraint violations
// → kFailedPrecondition "ConstraintViolation"; anything else → kInternal.
//
// Thread-safety: a connection is used by one thread at a time (the pool hands each to one
// borrower).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "queue/postgres_queue_url.h"

struct pg_conn;
struct pg_result;

namespace mlw::pg {

// Identical to store::Value, so that the store layer passes its values through unchanged.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

// A statement's result. Accessors take 0-based row and column; REQUIRES: indices in range.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  int columns() const;
  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  // int8/int4/int2 as written; bool as 1/0. REQUIRES: an integer or boolean column.
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  // BYTEA in the server's hex output form decoded to raw bytes.
  std::string Bytes(int row, int column) const;
  // The value mapped by column type: int8/int4/int2/bool/oid → int64, float4/float8/numeric →
  // double, NULL → monostate, anything else → its text.
  Value At(int row, int column) const;
  // Rows changed by INSERT/UPDATE/DELETE (PQcmdTuples), 0 for other statements.
  int64_t Affected() const;

 private:
  pg_result* result_;
};

struct Notification {
  std::string channel;
  std::string payload;
  int sender_pid = 0;  // server process id of the notifying session (compare BackendPid())
};

class PgConnection {
 public:
  // Connects synchronously. Unreachable servers fail with kUnavailable "ConnectionLost";
  // authentication or a missing database with kUnavailable "ConnectFailed"; the message names the
  // redacted URL and libpq's reason.
  static Result<std::unique_ptr<PgConnection>> Connect(const PgUrl& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with bound parameters, preparing it on first use.
  Result<PgResult> Execute(std::string_view sql, const std::vector<Value>& params = {});
  // Runs a script of several statements without parameters (migrations, DDL, BEGIN/COMMIT).
  Status ExecScript(std::string_view sql);

  // True once the connection was found lost; it must then be discarded.
  bool broken() const { return broken_; }
  // True while a transaction (possibly failed) is open on this connection.
  bool InTransaction() const;
  // True while the open transaction has failed: only ROLLBACK can end it (COMMIT would roll back).
  bool InFailedTransaction() const;

  // LISTEN support: the socket to wait on, reading what arrived, and taking the notifications.
  int Socket() const;
  // The server process id of this session: a notification with this sender_pid is its own.
  int BackendPid() const;
  Status ConsumeInput();
  std::vector<Notification> TakeNotifications();

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // Maps a failed result (or a failed call when `result` is null) to a Status.
  Status Error(pg_result* result, std::string_view what);

  pg_conn* conn_;
  bool broken_ = false;
  int next_statement_ = 0;
  struct Prepared {
    std::string name;
    int parameters = 0;
  };
  std::unordered_map<std::string, Prepared> statements_;  // keyed by SQL text and parameter types
};

// Encodes raw bytes as a BYTEA literal in hex form ("\x…"), to bind into a BYTEA parameter.
std::string ByteaHex(std::string_view bytes);

}  // namespace mlw::pg
