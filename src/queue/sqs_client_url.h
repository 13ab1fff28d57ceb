// What a queue URL says about where and how to reach SQS:
//   https://sqs.us-east-1.amazonaws.com/123456789012/production-ml-worker
//   http://127.0.0.1:9324/000000000000/ml-worker
//   http://127.0.0.1:9324            (an endpoint alone: no default queue)
#pragma once

#include <string>

#include "core/status.h"

namespace mlw::queue {

struct SqsUrl {
  std::string scheme;      // "http" or "https"
  std::string host;        // without port; IPv6 keeps its brackets
  std::string port;        // empty when the URL gives none
  std::string account;     // first path segment, may be empty
  std::string queue_name;  // second path segment, may be empty
  std::string region;      // from an AWS host name; empty for other hosts

  // "scheme://host[:port]": where every JSON-protocol request is POSTed.
  std::string Endpoint() const;
  // The Host header value: host, plus ":port" unless it is the scheme's default.
  std::string HostHeader() const;
  bool IsAwsHost() const;
};

// Fails with kInvalidArgument, naming the problem, for anything but http(s)://host[:port][/acct
// [/name]] (no query, fragment or credentials; queue names 1..80 of [A-Za-z0-9_-], ".fifo" allowed).
Result<SqsUrl> ParseSqsUrl(const std::string& url);

// The AWS region named in a host such as sqs.eu-west-1.amazonaws.com,
// eu-west-1.queue.amazonaws.com or vpce-….sqs.eu-west-1.vpce.amazonaws.com; empty when none.
std::string RegionFromHost(const std::string& host);

}  // namespace mlw::queue
