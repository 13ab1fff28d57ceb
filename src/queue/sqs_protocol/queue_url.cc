#include "queue/sqs_protocol/queue_url.h"

#include <vector>

#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = text.find(sep, pos);
    out.push_back(
        text.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace

std::string BaseUrl(std::string_view host_header, std::string_view fallback_host) {
  std::string_view host = host_header.empty() ? fallback_host : host_header;
  return "http://" + std::string(host);
}

std::string QueueUrl(std::string_view base_url, std::string_view queue_name) {
  return std::string(base_url) + "/" + kAccountId + "/" + std::string(queue_name);
}

Result<std::string> QueueNameFromUrl(std::string_view url) {
  std::string_view path = url;
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  size_t query = path.find('?');
  if (query != std::string_view::npos) path = path.substr(0, query);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string_view> parts = Split(path, '/');
  // "/<account>/<name>" splits into "", account, name.
  if (parts.size() != 3 || !parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return SqsError("InvalidAddress",
                    "The address " + std::string(url) + " is not valid for this endpoint.");
  }
  return std::string(parts[2]);
}

Result<std::string> QueueNameFromArn(std::string_view arn) {
  std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].empty()) {
    return SqsError("InvalidParameterValue",
                    "Value " + std::string(arn) +
                        " for parameter Arn is invalid. Reason: not an SQS queue ARN.");
  }
  return std::string(parts[5]);
}

}  // namespace mlw::queue::sqs
