#!/usr/bin/env python3
"""Drives an SQS-compatible endpoint with a real SQS client and checks SQS behaviour.

Clients:
  --client boto3   boto3/botocore of the Python running this script (Debian's boto3 1.26 speaks
                   the query protocol; botocore >= 1.31 speaks AWS JSON 1.0, like the aws CLI)
  --client awscli  the `aws` command line (its botocore decides the protocol; v1.43+ speaks JSON)

Every scenario runs against fresh queues named with --prefix. The script prints one line per
scenario and a closing "N passed, M failed" line; the exit code is 0 only when all passed.
Neither boto3 nor the aws CLI verifies MD5OfMessageBody / MD5OfMessageAttributes itself, so this
script recomputes both (AWS algorithm, independent of the server's code) for every send and receive.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
import time
import traceback


class ApiError(Exception):
    def __init__(self, code, message, status=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class Boto3Api:
    name = "boto3"

    def __init__(self, endpoint, key_id, secret):
        import boto3
        from botocore.config import Config
        self._client = boto3.client(
            "sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key_id,
            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1},
                                                         read_timeout=60))
        self.protocol = self._client.meta.service_model.protocol
        self.on_before_send = None
        self._client.meta.events.register("before-send.sqs.*", self._before_send)

    def _before_send(self, **kwargs):
        if self.on_before_send:
            self.on_before_send()

    def supports(self, op):
        return op in self._client.meta.service_model.operation_names

    def call(self, op, **params):
        from botocore.exceptions import ClientError
        method = getattr(self._client, re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower())
        try:
            out = method(**params)
        except ClientError as e:
            err = e.response.get("Error", {})
            raise ApiError(err.get("Code"), err.get("Message"),
                           e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        out.pop("ResponseMetadata", None)
        return out

    @staticmethod
    def binary_param(data):
        return data

    @staticmethod
    def binary_result(value):
        return value


class AwsCliApi:
    name = "awscli"

    def __init__(self, endpoint, key_id, secret, aws="aws"):
        self._endpoint = endpoint
        self._aws = aws
        self._env = dict(os.environ)
        self._env.update({
            "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "",
        })
        self._env.pop("AWS_SESSION_TOKEN", None)
        self._env.pop("AWS_PROFILE", None)
        self.protocol = self._detect_protocol()
        self.on_before_send = None

    def _detect_protocol(self):
        probe = subprocess.run([self._aws, "--endpoint-url", self._endpoint, "--debug", "sqs",
                                "list-queues"], env=self._env, capture_output=True, text=True,
                               timeout=60)
        return "json" if "x-amz-json-1.0" in probe.stderr else "query"

    def supports(self, op):
        cmd = re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower()
        out = subprocess.run([self._aws, "sqs", cmd, "help"], env=self._env, capture_output=True,
                             text=True, timeout=60)
        return out.returncode == 0

    def call(self, op, **params):
        cmd = re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower()
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(params, f)
            f.flush()
            args = [self._aws, "--endpoint-url", self._endpoint, "--output", "json",
                    "--no-paginate", "sqs", cmd, "--cli-input-json", "file://" + f.name]
            if self.on_before_send:
                self.on_before_send()
            out = subprocess.run(args, env=self._env, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            m = re.search(r"An error occurred \((.+?)\) when calling the \w+ operation: ?(.*)",
                          out.stderr)
            if not m:
                raise RuntimeError(f"aws {cmd} failed without an SQS error: {out.stderr.strip()}")
            raise ApiError(m.group(1), m.group(2).strip())
        return json.loads(out.stdout) if out.stdout.strip() else {}

    @staticmethod
    def binary_param(data):
        # aws CLI v1 sends a blob given as text as the text's bytes (no base64 decoding).
        return data.decode("ascii")

    @staticmethod
    def binary_result(value):
        return base64.b64decode(value)


# ---- MD5s as AWS specifies them ----------------------------------------------------------------

def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attrs, api):
    """attrs: the MessageAttributes map as the client returns or takes it."""
    buf = b""
    for name in sorted(attrs):
        value = attrs[name]
        dtype = value["DataType"]
        for piece in (name.encode(), dtype.encode()):
            buf += struct.pack(">I", len(piece)) + piece
        if dtype.startswith("Binary"):
            raw = value["BinaryValue"]
            raw = raw if isinstance(raw, bytes) else raw.encode()
            buf += b"\x02" + struct.pack(">I", len(raw)) + raw
        else:
            raw = value["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(raw)) + raw
    return md5_hex(buf)


def received_attributes(message, api):
    """Received attributes with binary values as raw bytes, comparable with what was sent."""
    out = {}
    for name, value in message.get("MessageAttributes", {}).items():
        v = dict(value)
        if "BinaryValue" in v:
            v["BinaryValue"] = api.binary_result(v["BinaryValue"])
        out[name] = v
    return out


def check_message_md5s(message, api):
    assert message["MD5OfBody"] == md5_hex(message["Body"].encode()), "MD5OfBody mismatch"
    attrs = received_attributes(message, api)
    if attrs:
        assert message["MD5OfMessageAttributes"] == md5_of_attributes(attrs, api), \
            "MD5OfMessageAttributes mismatch"
    else:
        assert "MD5OfMessageAttributes" not in message, "MD5 of attributes without attributes"


# ---- scenarios ---------------------------------------------------------------------------------

def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ApiError as e:
        assert e.code == code, f"expected {code}, got {e.code} ({e.message})"
        return e
    raise AssertionError(f"expected {code}, the call succeeded")


class Scenarios:
    def __init__(self, api, prefix, endpoint, api_factory):
        self.api = api
        self.prefix = prefix
        self.endpoint = endpoint
        self.api_factory = api_factory

    def queue(self, suffix, **attributes):
        name = f"{self.prefix}-{suffix}"
        url = self.api.call("CreateQueue", QueueName=name,
                            Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
        return name, url

    def arn(self, url):
        return self.api.call("GetQueueAttributes", QueueUrl=url,
                             AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive(self, url, **params):
        return self.api.call("ReceiveMessage", QueueUrl=url, **params).get("Messages", [])

    def test_queue_lifecycle(self):
        name, url = self.queue("life", VisibilityTimeout=7)
        assert url.endswith(f"/000000000000/{name}"), url
        assert url.startswith(self.endpoint), url
        # Same attributes again: idempotent.
        assert self.api.call("CreateQueue", QueueName=name,
                             Attributes={"VisibilityTimeout": "7"})["QueueUrl"] == url
        assert self.api.call("GetQueueUrl", QueueName=name)["QueueUrl"] == url
        attrs = self.api.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["VisibilityTimeout"] == "7", attrs
        assert attrs["QueueArn"].endswith(f":000000000000:{name}"), attrs
        self.api.call("SetQueueAttributes", QueueUrl=url, Attributes={"VisibilityTimeout": "11"})
        attrs = self.api.call("GetQueueAttributes", QueueUrl=url,
                              AttributeNames=["VisibilityTimeout"])["Attributes"]
        assert attrs == {"VisibilityTimeout": "11"}, attrs
        _, url2 = self.queue("life2")
        listed = self.api.call("ListQueues", QueueNamePrefix=f"{self.prefix}-life")["QueueUrls"]
        assert listed == [url, url2], listed
        page1 = self.api.call("ListQueues", QueueNamePrefix=f"{self.prefix}-life", MaxResults=1)
        assert page1["QueueUrls"] == [url] and page1.get("NextToken"), page1
        page2 = self.api.call("ListQueues", QueueNamePrefix=f"{self.prefix}-life", MaxResults=1,
                              NextToken=page1["NextToken"])
        assert page2["QueueUrls"] == [url2] and not page2.get("NextToken"), page2
        self.api.call("DeleteQueue", QueueUrl=url2)
        expect_error("AWS.SimpleQueueService.NonExistentQueue", self.api.call, "GetQueueUrl",
                     QueueName=f"{self.prefix}-life2")

    def test_send_receive_delete_with_md5s(self):
        _, url = self.queue("basic")
        body = "hello <world> & \u00e9\u4e2d\U0001F600\r\n"
        attrs = {
            "s": {"DataType": "String", "StringValue": "red"},
            "n": {"DataType": "Number", "StringValue": "42.5"},
            "b": {"DataType": "Binary", "BinaryValue": self.api.binary_param(b"\x00\x01bin\x7f")},
            "c": {"DataType": "String.custom", "StringValue": "x"},
        }
        sent = self.api.call("SendMessage", QueueUrl=url, MessageBody=body, MessageAttributes=attrs)
        sent_attrs = {k: dict(v) for k, v in attrs.items()}
        if not isinstance(sent_attrs["b"]["BinaryValue"], bytes):
            sent_attrs["b"]["BinaryValue"] = sent_attrs["b"]["BinaryValue"].encode()
        assert sent["MD5OfMessageBody"] == md5_hex(body.encode()), sent
        assert sent["MD5OfMessageAttributes"] == md5_of_attributes(sent_attrs, self.api), sent
        msgs = self.receive(url, AttributeNames=["All"], MessageAttributeNames=["All"])
        assert len(msgs) == 1, msgs
        m = msgs[0]
        assert m["Body"] == body and m["MessageId"] == sent["MessageId"], m
        check_message_md5s(m, self.api)
        assert received_attributes(m, self.api) == sent_attrs, m
        assert m["Attributes"]["ApproximateReceiveCount"] == "1", m
        assert int(m["Attributes"]["SentTimestamp"]) > 0, m
        self.api.call("DeleteMessage", QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert self.receive(url) == []
        counts = self.api.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert counts["ApproximateNumberOfMessages"] == "0", counts
        assert counts["ApproximateNumberOfMessagesNotVisible"] == "0", counts

    def test_attribute_selection(self):
        _, url = self.queue("select")
        attrs = {"foo.a": {"DataType": "String", "StringValue": "1"},
                 "foo.b": {"DataType": "Number", "StringValue": "2"},
                 "bar": {"DataType": "String", "StringValue": "3"}}
        self.api.call("SendMessage", QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
        for names, want in ((["foo.*"], {"foo.a", "foo.b"}), (["bar"], {"bar"}),
                            ([".*"], {"foo.a", "foo.b", "bar"}), ([], set())):
            m = self.receive(url, MessageAttributeNames=names, VisibilityTimeout=0,
                             AttributeNames=["ApproximateReceiveCount"])[0]
            assert set(m.get("MessageAttributes", {})) == want, (names, m)
            assert set(m["Attributes"]) == {"ApproximateReceiveCount"}, m
            check_message_md5s(m, self.api)
        m = self.receive(url, VisibilityTimeout=0)[0]
        assert "Attributes" not in m and "MessageAttributes" not in m, m

    def test_visibility_expiry_and_redelivery(self):
        _, url = self.queue("vis", VisibilityTimeout=1)
        self.api.call("SendMessage", QueueUrl=url, MessageBody="again")
        first = self.receive(url, AttributeNames=["ApproximateReceiveCount"])
        assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1", first
        handles = [first[0]["ReceiptHandle"]]
        for expected in ("2", "3"):
            start = time.monotonic()
            again = self.receive(url, WaitTimeSeconds=10, AttributeNames=["All"])
            elapsed = time.monotonic() - start
            assert again, f"message not redelivered within the 10 s long poll ({elapsed:.1f}s)"
            assert again[0]["Attributes"]["ApproximateReceiveCount"] == expected, again
            assert again[0]["MessageId"] == first[0]["MessageId"]
            assert elapsed < 9, f"redelivery took {elapsed:.1f}s for a 1 s visibility timeout"
            handles.append(again[0]["ReceiptHandle"])
        # Visibility 0 makes it visible at once.
        self.api.call("ChangeMessageVisibility", QueueUrl=url, ReceiptHandle=handles[-1],
                      VisibilityTimeout=0)
        now = self.receive(url, AttributeNames=["ApproximateReceiveCount"], VisibilityTimeout=30)
        assert now and now[0]["Attributes"]["ApproximateReceiveCount"] == "4", now
        # An older receipt handle no longer deletes; the newest does.
        expect_error("ReceiptHandleIsInvalid", self.api.call, "DeleteMessage", QueueUrl=url,
                     ReceiptHandle=handles[0])
        self.api.call("DeleteMessage", QueueUrl=url, ReceiptHandle=now[0]["ReceiptHandle"])
        assert self.receive(url) == []

    def test_redrive_to_dead_letter_queue(self):
        _, dlq = self.queue("dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": "2"})
        _, src = self.queue("src", RedrivePolicy=policy)
        sent = self.api.call("SendMessage", QueueUrl=src, MessageBody="poison")
        for count in ("1", "2"):
            got = self.receive(src, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])
            assert got and got[0]["Attributes"]["ApproximateReceiveCount"] == count, got
        assert self.receive(src, VisibilityTimeout=0) == [], "not moved after maxReceiveCount"
        dead = self.receive(dlq, VisibilityTimeout=0)
        assert dead and dead[0]["MessageId"] == sent["MessageId"] and dead[0]["Body"] == "poison", dead
        sources = self.api.call("ListDeadLetterSourceQueues", QueueUrl=dlq)
        assert sources.get("queueUrls") == [src], sources
        if self.api.supports("StartMessageMoveTask"):
            task = self.api.call("StartMessageMoveTask", SourceArn=self.arn(dlq))
            assert task.get("TaskHandle"), task
            if self.api.supports("ListMessageMoveTasks"):
                listed = self.api.call("ListMessageMoveTasks", SourceArn=self.arn(dlq), MaxResults=10)
                results = listed.get("Results", [])
                assert len(results) == 1, listed
                assert results[0]["Status"] == "COMPLETED", listed
                assert int(results[0]["ApproximateNumberOfMessagesMoved"]) == 1, listed
            back = self.receive(src)
            assert back and back[0]["Body"] == "poison", back
            assert self.receive(dlq) == []

    def test_long_poll_returns_on_send_from_another_client(self):
        _, url = self.queue("poll")
        poller = self.api_factory()
        sent_event = threading.Event()
        result = {}

        def poll():
            start = time.monotonic()
            try:
                result["messages"] = poller.call("ReceiveMessage", QueueUrl=url, WaitTimeSeconds=20
                                                 ).get("Messages", [])
            except Exception as e:  # reported by the main thread
                result["error"] = e
            result["returned_at"] = time.monotonic()
            result["waited"] = result["returned_at"] - start

        started = threading.Event()
        poller.on_before_send = started.set
        t = threading.Thread(target=poll)
        t.start()
        started.wait(30)
        sent_at = time.monotonic()
        self.api.call("SendMessage", QueueUrl=url, MessageBody="wake up")
        sent_event.set()
        t.join(40)
        assert not t.is_alive(), "long poll did not return"
        assert "error" not in result, result
        assert [m["Body"] for m in result["messages"]] == ["wake up"], result
        latency = result["returned_at"] - sent_at
        assert result["waited"] < 15, f"long poll ran {result['waited']:.1f}s, close to its 20 s"
        print(f"    long poll returned {latency * 1000:.0f} ms after the send call started "
              f"(client process/connection overhead included)")

    def test_batch_partial_failures(self):
        _, url = self.queue("batch")
        out = self.api.call("SendMessageBatch", QueueUrl=url, Entries=[
            {"Id": "ok1", "MessageBody": "one"},
            {"Id": "bad", "MessageBody": "ctrl\u0001char"},
            {"Id": "ok2", "MessageBody": "two", "MessageAttributes": {
                "k": {"DataType": "String", "StringValue": "v"}}},
        ])
        assert sorted(e["Id"] for e in out["Successful"]) == ["ok1", "ok2"], out
        assert [(e["Id"], e["Code"], e["SenderFault"]) for e in out["Failed"]] == [
            ("bad", "InvalidMessageContents", True)], out
        for e in out["Successful"]:
            want = {"ok1": "one", "ok2": "two"}[e["Id"]]
            assert e["MD5OfMessageBody"] == md5_hex(want.encode()), e
        msgs = self.receive(url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        assert sorted(m["Body"] for m in msgs) == ["one", "two"], msgs
        for m in msgs:
            check_message_md5s(m, self.api)
        vis = self.api.call("ChangeMessageVisibilityBatch", QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 60},
            {"Id": "b", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 60}])
        assert [e["Id"] for e in vis["Successful"]] == ["a"], vis
        assert [(e["Id"], e["Code"]) for e in vis["Failed"]] == [("b", "ReceiptHandleIsInvalid")], vis
        deleted = self.api.call("DeleteMessageBatch", QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": msgs[1]["ReceiptHandle"]},
            {"Id": "c", "ReceiptHandle": "garbage"}])
        assert sorted(e["Id"] for e in deleted["Successful"]) == ["a", "b"], deleted
        assert [(e["Id"], e["Code"]) for e in deleted["Failed"]] == [("c", "ReceiptHandleIsInvalid")]

    def test_error_codes(self):
        name, url = self.queue("errors", VisibilityTimeout=5)
        missing_url = url.rsplit("/", 1)[0] + f"/{self.prefix}-missing"
        entries = [{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)]
        cases = [
            ("AWS.SimpleQueueService.NonExistentQueue", "GetQueueUrl", {"QueueName": f"{self.prefix}-missing"}),
            ("AWS.SimpleQueueService.NonExistentQueue", "SendMessage", {"QueueUrl": missing_url, "MessageBody": "x"}),
            ("AWS.SimpleQueueService.NonExistentQueue", "ReceiveMessage", {"QueueUrl": missing_url, "WaitTimeSeconds": 1}),
            ("InvalidParameterValue", "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11}),
            ("InvalidParameterValue", "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 21}),
            ("InvalidParameterValue", "ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": "x", "VisibilityTimeout": 43201}),
            ("InvalidParameterValue", "SendMessage", {"QueueUrl": url, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Text", "StringValue": "x"}}}),
            ("InvalidParameterValue", "SendMessage", {"QueueUrl": url, "MessageBody": "x" * 262145}),
            ("ReceiptHandleIsInvalid", "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": "garbage"}),
            ("ReceiptHandleIsInvalid", "ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle": "garbage", "VisibilityTimeout": 1}),
            ("MissingParameter", "SendMessage", {"QueueUrl": url, "MessageBody": ""}),
            ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "SendMessageBatch", {"QueueUrl": url, "Entries": entries}),
            ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "SendMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]}),
            ("AWS.SimpleQueueService.EmptyBatchRequest", "DeleteMessageBatch", {"QueueUrl": url, "Entries": []}),
            ("AWS.SimpleQueueService.InvalidBatchEntryId", "DeleteMessageBatch", {"QueueUrl": url, "Entries": [{"Id": "bad id!", "ReceiptHandle": "x"}]}),
            ("InvalidAttributeName", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["Bogus"]}),
            ("InvalidAttributeName", "ReceiveMessage", {"QueueUrl": url, "AttributeNames": ["Bogus"]}),
            ("InvalidAttributeName", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Bogus": "1"}}),
            ("InvalidAttributeValue", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"VisibilityTimeout": "-5"}}),
            ("InvalidMessageContents", "SendMessage", {"QueueUrl": url, "MessageBody": "bell\u0007"}),
            ("QueueAlreadyExists", "CreateQueue", {"QueueName": name, "Attributes": {"VisibilityTimeout": "6"}}),
            ("AWS.SimpleQueueService.UnsupportedOperation", "TagQueue", {"QueueUrl": url, "Tags": {"k": "v"}}),
        ]
        if self.api.name == "awscli":
            # One case per error code: every aws call costs a Python start-up.
            seen = set()
            cases = [c for c in cases if not (c[0] in seen or seen.add(c[0]))]

        def check(case):
            code, op, params = case
            try:
                expect_error(code, self.api.call, op, **params)
                return None
            except AssertionError as e:
                return f"{op}: {e}"

        # Independent cases; run side by side because every aws CLI call starts a Python process.
        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [f for f in pool.map(check, cases) if f]
        self.api.call("PurgeQueue", QueueUrl=url)
        try:
            e = expect_error("AWS.SimpleQueueService.PurgeQueueInProgress", self.api.call,
                             "PurgeQueue", QueueUrl=url)
            assert e.status in (None, 403), e.status
        except AssertionError as e:
            failures.append(f"PurgeQueue: {e}")
        assert not failures, "\n      ".join(failures)


def run_auth(api_factory, args):
    """With credential checking on: the right key works, a wrong key id or secret does not."""
    results = []
    good = api_factory(args.key_id, args.secret)
    good.call("ListQueues")
    expect_error("InvalidClientTokenId", api_factory("AKIDWRONG", args.secret).call, "ListQueues")
    expect_error("SignatureDoesNotMatch", api_factory(args.key_id, "wrong-secret").call, "ListQueues")
    results.append("auth")
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--client", choices=["boto3", "awscli"], required=True)
    parser.add_argument("--skip", default="", help="comma-separated scenario names to skip")
    parser.add_argument("--aws", default="aws", help="aws CLI executable")
    parser.add_argument("--prefix", default="conf")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--auth", action="store_true", help="run the credential check only")
    parser.add_argument("--key-id", default="AKIDEXAMPLE")
    parser.add_argument("--secret", default="dummy-secret")
    args = parser.parse_args()

    def factory(key_id=args.key_id, secret=args.secret):
        if args.client == "boto3":
            return Boto3Api(args.endpoint, key_id, secret)
        return AwsCliApi(args.endpoint, key_id, secret, args.aws)

    if args.auth:
        try:
            run_auth(factory, args)
            print("PASS auth")
            print("1 passed, 0 failed")
            return 0
        except Exception:
            traceback.print_exc()
            print("FAIL auth")
            print("0 passed, 1 failed")
            return 1

    api = factory()
    print(f"client {api.name} speaks the {api.protocol} protocol")
    scenarios = Scenarios(api, args.prefix, args.endpoint, factory)
    names = [n for n in dir(scenarios) if n.startswith("test_")]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    names = [n for n in names if n not in args.skip.split(",")]
    passed = failed = 0
    for n in names:
        start = time.monotonic()
        try:
            getattr(scenarios, n)()
            passed += 1
            print(f"PASS {n} ({time.monotonic() - start:.1f}s)", flush=True)
        except Exception as e:
            failed += 1
            print(f"FAIL {n}: {e}", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
