#include "queue/sqs_client_url.h"

#include <cctype>
#include <vector>

namespace mlw::queue {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// [a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+, e.g. us-east-1, us-gov-west-1, cn-north-1.
bool LooksLikeRegion(const std::string& label) {
  std::vector<std::string> parts = Split(label, '-');
  if (parts.size() < 3 || parts.size() > 4) return false;
  auto alpha = [](const std::string& p) {
    if (p.empty()) return false;
    for (char c : p) {
      if (!std::islower(static_cast<unsigned char>(c))) return false;
    }
    return true;
  };
  if (parts[0].size() != 2 || !alpha(parts[0])) return false;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (!alpha(parts[i])) return false;
  }
  const std::string& last = parts.back();
  if (last.empty()) return false;
  for (char c : last) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool ValidQueueName(const std::string& name) {
  std::string base = name;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".fifo") == 0) {
    base.resize(base.size() - 5);
  }
  if (base.empty() || name.size() > 80) return false;
  for (char c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string SqsUrl::Endpoint() const {
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string SqsUrl::HostHeader() const {
  bool default_port = port.empty() || (scheme == "http" && port == "80") ||
                      (scheme == "https" && port == "443");
  return default_port ? host : host + ":" + port;
}

bool SqsUrl::IsAwsHost() const {
  auto ends_with = [&](const std::string& suffix) {
    return host.size() >= suffix.size() &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".amazonaws.com") || ends_with(".amazonaws.com.cn");
}

std::string RegionFromHost(const std::string& host) {
  for (const std::string& label : Split(host, '.')) {
    if (LooksLikeRegion(label)) return label;
  }
  if (host == "queue.amazonaws.com" || host == "sqs.amazonaws.com") return "us-east-1";
  return "";
}

Result<SqsUrl> ParseSqsUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("queue URL '" + url + "' " + why +
                           "; expected http(s)://host[:port]/<account>/<queue-name>");
  };
  size_t sep = url.find("://");
  if (sep == std::string::npos) return bad("has no scheme");
  SqsUrl out;
  out.scheme = url.substr(0, sep);
  for (char& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https") return bad("is not http or https");
  std::string rest = url.substr(sep + 3);
  if (rest.find_first_of("?#@") != std::string::npos) {
    return bad("must not contain a query, fragment or credentials");
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (authority.empty()) return bad("has no host");
  if (authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return bad("has an unterminated IPv6 host");
    out.host = authority.substr(0, close + 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("has garbage after the host");
      out.port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.host.empty()) return bad("has no host");
  if (!out.port.empty()) {
    for (char c : out.port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad("has a non-numeric port");
    }
    if (out.port.size() > 5 || std::stoi(out.port) == 0 || std::stoi(out.port) > 65535) {
      return bad("has a port outside 1..65535");
    }
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty()) {
    std::vector<std::string> segments = Split(path, '/');
    if (segments.size() > 2) return bad("has more than two path segments");
    out.account = segments[0];
    if (out.account.empty()) return bad("has an empty account segment");
    if (segments.size() == 2) {
      out.queue_name = segments[1];
      if (!ValidQueueName(out.queue_name)) {
        return bad("has an invalid queue name '" + out.queue_name +
                   "' (1..80 of A-Z a-z 0-9 - _, optional .fifo)");
      }
    }
  }
  // Only AWS host names carry a region; "my-app-1.example.com" is not in region my-app-1.
  if (out.IsAwsHost()) out.region = RegionFromHost(out.host);
  return out;
}

}  // namespace mlw::queue
