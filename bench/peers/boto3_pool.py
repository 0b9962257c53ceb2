#!/usr/bin/env python3
"""The script a competent user would write instead of amifleet: a boto3 thread pool.

The way c7n-org runs accounts: per account, STS AssumeRole once (with the ExternalId when the
estate gives one); then a ThreadPoolExecutor of 16 threads finds each account's instances by tag
(DescribeInstances, paginated, filtered by the tags and states, as amifleet and the shell loop
find theirs) and calls CreateImage once per instance,
with a unique name, NoReboot, and the tags on the image and on its snapshots through
TagSpecifications (no CreateTags afterwards); then, every poll interval, one DescribeImages per
account (at most 1,000 image IDs per call) until every image is available or failed.

boto3 runs with its default retry configuration, as a user has it: botocore's "legacy" retry
mode, 5 attempts per call in all, exponential back-off of rand(0, 1) x 2^(attempt - 1) seconds,
retrying RequestLimitExceeded (HTTP 503) among others. Nothing here retries on top of that: a
CreateImage that still fails is a failed image. The one setting changed from the defaults is the
connection pool, raised to the thread count so that 16 threads do not overflow urllib3's pool of 10.

A DescribeImages answered InvalidAMIID.NotFound (EC2 is eventually consistent: a new image ID can
be unknown for a few seconds,
https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html) means "not yet": the
next poll asks again, as AWS advises.

Input: --estate FILE, JSON written by the benchmark harness:
  {"region": "us-east-1", "roleName": "AmiFleetCreator",
   "select": {"tags": {"Backup": ["nightly"]}, "states": ["running", "stopped"]},
   "accounts": [{"id": "700000000001", "externalId": "..."}]}
(externalId optional). An account may list "instanceIds" instead, which are then imaged without
a search. The endpoint comes from AWS_ENDPOINT_URL, the hub credentials from the
environment, as for any boto3 script.

Output: one JSON document on stdout (images created, available, failed, the CreateImage retries
and throttles this process saw, calls by operation, wall time). Exit code 0 when every image is
available, 1 when some are not, 2 for bad input. The ExternalId is never printed.
"""

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html: describe at most
# 1,000 resources by ID per call.
MAX_IDS_PER_DESCRIBE = 1000
# Error codes botocore's retry handlers treat as throttling for EC2 and STS.
THROTTLE_CODES = {
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "EC2ThrottledException",
    "TooManyRequestsException",
}


class Calls:
    """Every HTTP attempt by operation, and the error codes answered: counted from botocore's
    response-received event, which fires once per attempt (retries included). Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self.by_operation = {}

    def observe(self, event_name, parsed_response=None, exception=None, **kwargs):
        operation = event_name.split(".")[-1]
        code = None
        if exception is not None:
            code = type(exception).__name__
        elif parsed_response is not None and "Error" in parsed_response:
            code = parsed_response["Error"].get("Code", "Unknown")
        with self._lock:
            entry = self.by_operation.setdefault(operation, {"attempts": 0, "errors": {}})
            entry["attempts"] += 1
            if code is not None:
                entry["errors"][code] = entry["errors"].get(code, 0) + 1

    def throttles(self, operation):
        with self._lock:
            errors = self.by_operation.get(operation, {}).get("errors", {})
            return sum(n for code, n in errors.items() if code in THROTTLE_CODES)


def load_estate(path):
    try:
        with open(path, encoding="utf-8") as f:
            estate = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f"boto3_pool: cannot read the estate {path}: {e}")
    for field in ("region", "roleName", "accounts"):
        if field not in estate:
            raise SystemExit(f"boto3_pool: {path}: the field '{field}' is missing")
    for i, account in enumerate(estate["accounts"]):
        if "id" not in account:
            raise SystemExit(f"boto3_pool: {path}: accounts[{i}] needs an 'id'")
        if "instanceIds" not in account and "select" not in estate:
            raise SystemExit(
                f"boto3_pool: {path}: accounts[{i}] needs 'instanceIds' when there is no 'select'"
            )
    return estate


def find(ec2, select):
    """The IDs of the instances with every tag (any of its values) in one of the states."""
    filters = [{"Name": f"tag:{k}", "Values": v} for k, v in select.get("tags", {}).items()]
    filters.append(
        {"Name": "instance-state-name", "Values": select.get("states", ["running", "stopped"])}
    )
    ids = []
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page["Reservations"]:
            ids.extend(i["InstanceId"] for i in reservation["Instances"])
    return ids


def assume(sts, account, role_name):
    params = {
        "RoleArn": f"arn:aws:iam::{account['id']}:role/{role_name}",
        "RoleSessionName": "boto3-pool",
    }
    if account.get("externalId"):
        params["ExternalId"] = account["externalId"]
    return sts.assume_role(**params)["Credentials"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estate", required=True, help="the estate JSON the harness wrote")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between polls")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--max-wait", type=float, default=3600.0, help="seconds to wait at most")
    args = parser.parse_args()
    if args.threads < 1 or args.poll_interval <= 0 or args.max_wait <= 0:
        parser.error("--threads, --poll-interval and --max-wait must be positive")
    estate = load_estate(args.estate)
    started = time.monotonic()
    region = estate["region"]
    calls = Calls()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    sts = boto3.client("sts", region_name=region)
    sts.meta.events.register("response-received.sts.*", calls.observe)
    clients = {}
    for account in estate["accounts"]:
        credentials = assume(sts, account, estate["roleName"])
        ec2 = boto3.client(
            "ec2",
            region_name=region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            config=Config(max_pool_connections=args.threads),
        )
        ec2.meta.events.register("response-received.ec2.*", calls.observe)
        clients[account["id"]] = ec2

    lock = threading.Lock()
    retries = {"CreateImage": 0, "retried": 0}
    create_failed = {}

    def count_retries(attempts):
        retries["CreateImage"] += attempts
        if attempts > 0:
            retries["retried"] += 1

    def create(account_id, instance_id):
        tags = [
            {"Key": "Purpose", "Value": "nightly-image"},
            {"Key": "CreatedBy", "Value": "boto3-pool"},
            {"Key": "SourceInstance", "Value": instance_id},
        ]
        try:
            answer = clients[account_id].create_image(
                InstanceId=instance_id,
                Name=f"{instance_id}-{stamp}-boto3",
                NoReboot=True,
                TagSpecifications=[
                    {"ResourceType": "image", "Tags": tags},
                    {"ResourceType": "snapshot", "Tags": tags},
                ],
            )
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "Unknown")
            with lock:
                count_retries(e.response.get("ResponseMetadata", {}).get("RetryAttempts", 0))
                create_failed[code] = create_failed.get(code, 0) + 1
            return None
        except BotoCoreError as e:
            with lock:
                create_failed[type(e).__name__] = create_failed.get(type(e).__name__, 0) + 1
            return None
        with lock:
            count_retries(answer["ResponseMetadata"].get("RetryAttempts", 0))
        return answer["ImageId"]

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        searched = [a for a in estate["accounts"] if "instanceIds" not in a]
        for account, ids in zip(
            searched, pool.map(lambda a: find(clients[a["id"]], estate["select"]), searched)
        ):
            account["instanceIds"] = ids
        futures = [
            (account["id"], pool.submit(create, account["id"], instance_id))
            for account in estate["accounts"]
            for instance_id in account["instanceIds"]
        ]
        pending = {account["id"]: set() for account in estate["accounts"]}
        for account_id, future in futures:
            image_id = future.result()
            if image_id is not None:
                pending[account_id].add(image_id)
    created = sum(len(ids) for ids in pending.values())
    create_seconds = time.monotonic() - started

    available = 0
    failed = 0
    not_found_polls = 0
    polls = 0
    deadline = started + args.max_wait
    while any(pending.values()) and time.monotonic() < deadline:
        polls += 1
        for account_id, ids in pending.items():
            chunk_ids = sorted(ids)
            for i in range(0, len(chunk_ids), MAX_IDS_PER_DESCRIBE):
                chunk = chunk_ids[i : i + MAX_IDS_PER_DESCRIBE]
                try:
                    images = clients[account_id].describe_images(ImageIds=chunk)["Images"]
                except ClientError as e:
                    if e.response.get("Error", {}).get("Code") == "InvalidAMIID.NotFound":
                        not_found_polls += 1
                        continue
                    raise
                for image in images:
                    if image["State"] == "available":
                        available += 1
                        ids.discard(image["ImageId"])
                    elif image["State"] in ("failed", "error", "invalid", "deregistered"):
                        failed += 1
                        ids.discard(image["ImageId"])
        if any(pending.values()):
            time.sleep(args.poll_interval)

    wall = time.monotonic() - started
    summary = {
        "peer": "boto3-pool",
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        # What the clients run with: boto3's default unless the environment or ~/.aws/config
        # changed it (the harness runs this with neither).
        "retryMode": sts.meta.config.retries.get("mode"),
        "threads": args.threads,
        "pollSeconds": args.poll_interval,
        "accounts": len(estate["accounts"]),
        "instances": sum(len(a["instanceIds"]) for a in estate["accounts"]),
        "searched": "select" in estate,
        "created": created,
        "available": available,
        "failed": failed,
        "createFailed": sum(create_failed.values()),
        "createFailedByCode": create_failed,
        "timedOut": sum(len(ids) for ids in pending.values()),
        "createImageRetries": retries["CreateImage"],
        "createImageRetried": retries["retried"],
        "createImageThrottles": calls.throttles("CreateImage"),
        "describeImagesNotFound": not_found_polls,
        "polls": polls,
        "calls": calls.by_operation,
        "createSeconds": round(create_seconds, 3),
        "wallSeconds": round(wall, 3),
    }
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    everything = summary["instances"]
    return 0 if available == everything else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
