#!/usr/bin/env bash
# The seed's classic approach, as a user runs it: per account, assume the role with the aws CLI,
# export the three variables, find the instances tagged Backup=nightly, then create-image per
# instance, one after the other. Usage: shell_loop.sh ENDPOINT ACCOUNT...
# The benchmark harness (bench/, scenario 1) races it against the boto3 pool and amifleet.
set -euo pipefail
endpoint="$1"; shift
for account in "$@"; do
  read -r key secret token < <(aws --endpoint-url "$endpoint" sts assume-role \
      --role-arn "arn:aws:iam::${account}:role/AmiFleetCreator" --role-session-name shell-loop \
      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token"
  for id in $(aws --endpoint-url "$endpoint" ec2 describe-instances \
      --filters Name=tag:Backup,Values=nightly --query 'Reservations[].Instances[].InstanceId' --output text); do
    aws --endpoint-url "$endpoint" ec2 create-image --instance-id "$id" --name "$id-shell" --no-reboot --output text > /dev/null
  done
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  unset AWS_SESSION_TOKEN
done
