#include "queue/postgres_queue_url.h"

#include <libpq-fe.h>

#include <cctype>
#include <string_view>

namespace mlw::pg {
namespace {

constexpr std::string_view kForm =
    "postgresql://user[:password]@host[:port][,host2[:port2]]/dbname[?param=value]";

Status BadUrl(const std::string& redacted, const std::string& problem) {
  return InvalidArgument("invalid PostgreSQL URL '" + redacted + "': " + problem + " (expected " +
                             std::string(kForm) + ")",
                         "InvalidDatabaseUrl");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; false on a truncated or non-hex escape.
bool Decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// The keywords libpq accepts, so that a misspelt parameter is named before connecting.
const std::set<std::string>& LibpqKeywords() {
  static const std::set<std::string> keywords = [] {
    std::set<std::string> k;
    PQconninfoOption* options = PQconndefaults();
    for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
      k.insert(o->keyword);
    }
    PQconninfoFree(options);
    return k;
  }();
  return keywords;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Splits one host[:port] entry. `host` stays encoded (decoded by the caller).
Status SplitHostPort(const std::string& redacted, std::string_view entry, std::string* host,
                     std::string* port) {
  std::string_view rest;
  if (!entry.empty() && entry.front() == '[') {
    size_t close = entry.find(']');
    if (close == std::string_view::npos) {
      return BadUrl(redacted, "IPv6 host '" + std::string(entry) + "' lacks its closing ']'");
    }
    *host = std::string(entry.substr(1, close - 1));
    rest = entry.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return BadUrl(redacted, "unexpected text after IPv6 host: '" + std::string(rest) + "'");
    }
  } else {
    size_t colon = entry.find(':');
    *host = std::string(entry.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : entry.substr(colon);
  }
  port->clear();
  if (rest.empty()) return Status::Ok();
  std::string_view p = rest.substr(1);
  if (p.find(':') != std::string_view::npos) {
    std::string first(p.substr(0, p.find(':')));
    return BadUrl(redacted, "host '" + *host + "' carries a port twice ('" + std::string(p) +
                                "'); give the port once, e.g. " + *host + ":" + first);
  }
  if (!AllDigits(p) || p.size() > 5 || std::stoi(std::string(p)) < 1 ||
      std::stoi(std::string(p)) > 65535) {
    return BadUrl(redacted, "port '" + std::string(p) + "' of host '" + *host +
                                "' is not a number in 1..65535");
  }
  *port = std::string(p);
  return Status::Ok();
}

}  // namespace

Result<PgUrl> ParsePostgresUrl(const std::string& url, const std::set<std::string>& own_params) {
  PgUrl out;
  size_t sep = url.find("://");
  std::string scheme = sep == std::string::npos ? "" : url.substr(0, sep);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Mask the password before anything can be echoed.
  out.redacted = url;
  if (sep != std::string::npos) {
    size_t auth_end = url.find_first_of("/?", sep + 3);
    std::string_view authority = std::string_view(url).substr(
        sep + 3, auth_end == std::string::npos ? std::string::npos : auth_end - sep - 3);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      size_t colon = authority.substr(0, at).find(':');
      if (colon != std::string_view::npos) {
        out.redacted = url.substr(0, sep + 3 + colon + 1) + "***" + url.substr(sep + 3 + at);
      }
    }
  }
  if (scheme != "postgresql" && scheme != "postgres") {
    return BadUrl(out.redacted, "the scheme must be postgresql:// or postgres://");
  }
  std::string_view rest = std::string_view(url).substr(sep + 3);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string_view hosts = authority;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    hosts = authority.substr(at + 1);
    std::string_view user = userinfo, password;
    bool has_password = false;
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
      has_password = true;
    }
    std::string decoded;
    if (!Decode(user, &decoded)) return BadUrl(out.redacted, "bad percent-escape in the user");
    if (!decoded.empty()) out.keywords.emplace_back("user", decoded);
    if (has_password) {
      if (!Decode(password, &decoded)) {
        return BadUrl(out.redacted, "bad percent-escape in the password");
      }
      out.keywords.emplace_back("password", decoded);
    }
  }
  if (!hosts.empty()) {
    std::string host_list, port_list;
    bool any_port = false;
    size_t start = 0;
    for (;;) {
      size_t comma = hosts.find(',', start);
      std::string_view entry = hosts.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      std::string host, port, decoded;
      MLW_RETURN_IF_ERROR(SplitHostPort(out.redacted, entry, &host, &port));
      if (!Decode(host, &decoded)) {
        return BadUrl(out.redacted, "bad percent-escape in host '" + host + "'");
      }
      if (decoded.find_first_of(" ,") != std::string::npos) {
        return BadUrl(out.redacted, "host '" + decoded + "' contains a space or a comma");
      }
      if (start > 0) {
        host_list += ",";
        port_list += ",";
      }
      host_list += decoded;
      port_list += port;
      any_port = any_port || !port.empty();
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (host_list.find_first_not_of(',') != std::string::npos) {
      out.keywords.emplace_back("host", host_list);
    }
    if (any_port) out.keywords.emplace_back("port", port_list);
  }
  if (!path.empty()) {
    std::string dbname;
    if (!Decode(path, &dbname)) return BadUrl(out.redacted, "bad percent-escape in the database");
    if (dbname.find('/') != std::string::npos) {
      return BadUrl(out.redacted, "database name '" + dbname + "' contains '/'");
    }
    out.keywords.emplace_back("dbname", dbname);
  }
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string_view pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return BadUrl(out.redacted, "query parameter '" + std::string(pair) + "' has no value");
    }
    std::string key, value;
    if (!Decode(pair.substr(0, eq), &key) || !Decode(pair.substr(eq + 1), &value)) {
      return BadUrl(out.redacted, "bad percent-escape in query parameter");
    }
    if (own_params.count(key)) {
      out.own_params[key] = value;
    } else if (key == "host" || key == "port" || key == "user" || key == "password" ||
               key == "dbname" || LibpqKeywords().count(key)) {
      out.keywords.emplace_back(key, value);
    } else {
      std::string known;
      for (const std::string& k : own_params) known += k + ", ";
      return BadUrl(out.redacted, "unknown parameter '" + key + "'; use " + known +
                                      "or a libpq connection parameter (sslmode, "
                                      "connect_timeout, application_name, …)");
    }
  }
  return out;
}

}  // namespace mlw::pg
