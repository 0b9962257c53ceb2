package io.amifleet.common.message;

import java.util.regex.Pattern;

/**
 * Formats of the identifiers amifleet exchanges, shared by the message schemas and the targets.yaml
 * loader so that both reject the same things with the same words.
 */
public final class Identifiers {
  public static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

  /** us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1, ... */
  public static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");

  public static final Pattern ROLE_ARN =
      Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):role/([\\w+=,.@/-]{1,512})");

  public static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8}([0-9a-f]{9})?");

  /** Job and run IDs become tag values and log fields: keep them plain. */
  public static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /**
   * AMI names: 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html).
   */
  public static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./'@_-]{3,128}");

  /**
   * A KMS key as CopyImage's KmsKeyId takes it: key ID (or multi-Region key ID), alias name, key
   * ARN or alias ARN (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html).
   * Groups of an ARN: partition, region, account.
   */
  public static final Pattern KMS_KEY =
      Pattern.compile(
          "(?:arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):)?"
              + "(?:key/)?(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
              + "|mrk-[0-9a-f]{32})"
              + "|(?:arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):)?alias/[A-Za-z0-9/_-]{1,250}");

  /** EC2 allows 50 tags per resource; keys up to 128 characters, values up to 256. */
  public static final int MAX_TAGS = 50;

  public static final int MAX_TAG_KEY = 128;
  public static final int MAX_TAG_VALUE = 256;

  /**
   * What AssumeRole accepts as an ExternalId: 2-1224 characters
   * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
   */
  public static final String EXTERNAL_ID_LENGTH = "externalId must be 2-1224 characters";

  private Identifiers() {}

  /** Throws when {@code externalId} is given and AssumeRole would refuse its length. */
  public static void checkExternalId(String externalId) {
    if (externalId != null && (externalId.length() < 2 || externalId.length() > 1224)) {
      throw new IllegalArgumentException(EXTERNAL_ID_LENGTH);
    }
  }

  /** Throws when {@code value} of {@code field} is missing or not in {@code format}. */
  public static void require(String value, String field, Pattern format) {
    if (value == null) {
      throw new NullPointerException(field + " is null");
    }
    if (!format.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " is not valid: '" + value + "'");
    }
  }

  /** Throws when {@code roleArn} is missing, not a role ARN, or a role of another account. */
  public static void requireRoleIn(String roleArn, String accountId) {
    if (roleArn == null) {
      throw new NullPointerException("roleArn is null");
    }
    String roleAccount = roleAccount(roleArn);
    if (roleAccount == null) {
      throw new IllegalArgumentException("roleArn is not an IAM role ARN: " + roleArn);
    }
    if (!roleAccount.equals(accountId)) {
      throw new IllegalArgumentException(
          "roleArn " + roleArn + " is in account " + roleAccount + ", not accountId " + accountId);
    }
  }

  /** The account ID in a role ARN, or {@code null} when {@code roleArn} is not a role ARN. */
  public static String roleAccount(String roleArn) {
    var m = ROLE_ARN.matcher(roleArn);
    return m.matches() ? m.group(2) : null;
  }

  /** The IAM partition (aws, aws-cn, aws-us-gov, ...) of a region name. */
  public static String partitionOf(String region) {
    if (region.startsWith("cn-")) {
      return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    if (region.startsWith("us-iso-")) {
      return "aws-iso";
    }
    if (region.startsWith("us-isob-")) {
      return "aws-iso-b";
    }
    if (region.startsWith("eusc-")) {
      return "aws-eusc";
    }
    return "aws";
  }
}
