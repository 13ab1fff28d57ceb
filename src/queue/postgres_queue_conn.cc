#include "queue/postgres_queue_conn.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace mlw::pg {
namespace {

// Type OIDs (pg_type.dat); stable across server versions.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
              kOidOid = 26, kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return PQntuples(result_); }
int PgResult::columns() const { return PQnfields(result_); }
bool PgResult::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view PgResult::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<size_t>(PQgetlength(result_, row, column)));
}

int64_t PgResult::Int(int row, int column) const {
  std::string_view t = Text(row, column);
  if (t == "t") return 1;
  if (t == "f") return 0;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size()) {
    return static_cast<int64_t>(Double(row, column));  // numeric results such as SUM(bigint)
  }
  return v;
}

double PgResult::Double(int row, int column) const {
  // strtod: from_chars does not accept the server's "Infinity" spelling.
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

std::string PgResult::Bytes(int row, int column) const {
  std::string_view t = Text(row, column);
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') return std::string(t);
  std::string out;
  out.reserve((t.size() - 2) / 2);
  auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 2; i + 1 < t.size(); i += 2) {
    out.push_back(static_cast<char>(hex(t[i]) * 16 + hex(t[i + 1])));
  }
  return out;
}

Value PgResult::At(int row, int column) const {
  if (IsNull(row, column)) return std::monostate{};
  switch (PQftype(result_, column)) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return Int(row, column);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return Double(row, column);
    case kByteaOid:
      return Bytes(row, column);
    default:
      return std::string(Text(row, column));
  }
}

int64_t PgResult::Affected() const {
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PgUrl& url) {
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : url.keywords) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/0);
  if (conn == nullptr) return Internal("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    // A refused or unreachable server may come back (restart, fail-over); a rejected login or a
    // missing database will not, so callers retry only the former.
    bool unreachable = why.find("Connection refused") != std::string::npos ||
                       why.find("No such file or directory") != std::string::npos ||
                       why.find("timeout") != std::string::npos ||
                       why.find("the database system is") != std::string::npos ||
                       why.find("server closed the connection") != std::string::npos;
    return Unavailable("cannot connect to PostgreSQL at " + url.redacted + ": " + why,
                       unreachable ? "ConnectionLost" : "ConnectFailed");
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool PgConnection::InFailedTransaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

Status PgConnection::Error(pg_result* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string detail = Trimmed(result ? PQresultErrorMessage(result) : "");
  if (detail.empty()) detail = Trimmed(PQerrorMessage(conn_));
  std::string msg = std::string(what) + ": " + detail;
  if (!sqlstate.empty()) msg += " (SQLSTATE " + sqlstate + ")";
  if (PQstatus(conn_) == CONNECTION_BAD || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03" || result == nullptr) {
    broken_ = true;
    return Unavailable(msg, "ConnectionLost");
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" ||
      sqlstate.rfind("53", 0) == 0) {
    return Unavailable(msg, "DatabaseBusy");
  }
  if (sqlstate == "23505") return Status(StatusCode::kAlreadyExists, msg, "UniqueViolation");
  if (sqlstate.rfind("23", 0) == 0) return FailedPrecondition(msg, "ConstraintViolation");
  return Internal(msg);
}

Result<PgResult> PgConnection::Execute(std::string_view sql, const std::vector<Value>& params) {
  if (broken_) return Unavailable("PostgreSQL connection was lost", "ConnectionLost");
  std::string key(sql);
  key.push_back('\x01');
  std::vector<Oid> types(params.size(), 0);
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (const auto* x = std::get_if<int64_t>(&v)) {
      types[i] = kInt8Oid;
      texts[i] = std::to_string(*x);
      values[i] = texts[i].c_str();
      key.push_back('i');
    } else if (const auto* d = std::get_if<double>(&v)) {
      types[i] = kFloat8Oid;
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *d);
      texts[i] = ec == std::errc() ? std::string(buf, end) : std::to_string(*d);
      values[i] = texts[i].c_str();
      key.push_back('d');
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (s->find('\0') != std::string::npos) {
        return InvalidArgument("parameter $" + std::to_string(i + 1) +
                               " contains a NUL byte, which PostgreSQL text cannot hold");
      }
      values[i] = s->c_str();
      key.push_back('s');
    } else {
      key.push_back('n');
    }
  }
  auto it = statements_.find(key);
  if (it == statements_.end()) {
    std::string name = "mlw" + std::to_string(next_statement_++);
    PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(sql).c_str(),
                                   static_cast<int>(params.size()), types.data());
    PgResult prepared_holder(prepared);
    if (prepared == nullptr || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      Status s = Error(prepared, "prepare failed");
      if (s.message().find("cannot insert multiple commands") != std::string::npos) {
        return InvalidArgument("Query/Exec take one statement; use ExecScript for several");
      }
      return s;
    }
    // The server infers parameters the text does not mention as well; count what the SQL uses.
    PGresult* described = PQdescribePrepared(conn_, name.c_str());
    PgResult described_holder(described);
    if (described == nullptr || PQresultStatus(described) != PGRES_COMMAND_OK) {
      return Error(described, "describe failed");
    }
    it = statements_.emplace(std::move(key), Prepared{std::move(name), PQnparams(described)}).first;
  }
  if (it->second.parameters != static_cast<int>(params.size())) {
    return InvalidArgument("statement has " + std::to_string(it->second.parameters) +
                           " parameters, got " + std::to_string(params.size()));
  }
  PGresult* result = PQexecPrepared(conn_, it->second.name.c_str(), static_cast<int>(params.size()),
                                    values.data(), nullptr, nullptr, /*resultFormat=*/0);
  ExecStatusType st = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    PgResult holder(result);
    return Error(result, "statement failed");
  }
  return PgResult(result);
}

Status PgConnection::ExecScript(std::string_view sql) {
  if (broken_) return Unavailable("PostgreSQL connection was lost", "ConnectionLost");
  // PQexec returns only the last result of a script; an error stops the script there.
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  PgResult holder(result);
  ExecStatusType st = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
    return Error(result, "script failed");
  }
  return Status::Ok();
}

int PgConnection::Socket() const { return PQsocket(conn_); }

int PgConnection::BackendPid() const { return PQbackendPID(conn_); }

Status PgConnection::ConsumeInput() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) == CONNECTION_BAD) {
    broken_ = true;
    return Unavailable("PostgreSQL connection was lost: " + Trimmed(PQerrorMessage(conn_)),
                       "ConnectionLost");
  }
  return Status::Ok();
}

std::vector<Notification> PgConnection::TakeNotifications() {
  std::vector<Notification> out;
  while (PGnotify* n = PQnotifies(conn_)) {
    out.push_back({n->relname ? n->relname : "", n->extra ? n->extra : "", n->be_pid});
    PQfreemem(n);
  }
  return out;
}

std::string ByteaHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace mlw::pg
