package io.amifleet.emulator.realistic;

/**
 * The rules of the realistic EC2 layer, each switchable on its own (a test proves a rule by
 * switching it off and seeing the behaviour go).
 */
public enum Rule {
  /** A token bucket per account+region+API; an empty bucket answers RequestLimitExceeded. */
  THROTTLING,
  /** An added latency per EC2 and STS call, drawn from a seeded distribution. */
  LATENCY,
  /** Images made through the layer stay pending for a drawn time; a share ends failed. */
  PENDING_IMAGES,
  /** A new image ID is unknown to DescribeImages for a while after CreateImage returned it. */
  CONSISTENCY,
  /** At most 1,000 IDs in one Describe call and 200 values in one filter. */
  DESCRIBE_LIMITS,
  /** AMI names of 3-128 allowed characters. */
  IMAGE_NAMES,
  /** AMI names unique per account+region: InvalidAMIName.Duplicate. */
  DUPLICATE_NAMES,
  /** At most 50 tags per resource, no {@code aws:} keys. */
  TAG_LIMITS,
  /** CreateImage of a terminated or shutting-down instance: IncorrectInstanceState. */
  INSTANCE_STATE,
  /** CreateImage TagSpecifications of resource type snapshot, applied by the layer. */
  SNAPSHOT_TAGS,
  /** AssumeRole demands the ExternalId configured for the role: AccessDenied otherwise. */
  EXTERNAL_ID,
  /** Assumed-role credentials expire (at the configured lifetime); expired keys are refused. */
  CREDENTIAL_EXPIRY,
  /**
   * EnableImageDeprecation and DisableImageDeprecation (moto 5.2.1 has neither): the time is kept,
   * rounded to the minute, refused in the past, and answered by DescribeImages as {@code
   * deprecationTime}.
   */
  IMAGE_DEPRECATION,
  /**
   * SSM Run Command invocations run for a while (InProgress), and a script with a line {@code exit
   * N} (N not 0) ends Failed with ResponseCode N ({@link SsmRules}).
   */
  SSM_COMMANDS,
  /**
   * CopyImage as EC2 does it where moto does not: the ClientToken makes it idempotent (per
   * account+region), its TagSpecifications (image and snapshot) are applied, the copy stays pending
   * like a new image, and a copy of another account's image is made in the caller's account (moto
   * looks for the source in the caller's account only).
   */
  COPIES,
  /**
   * A copy of another account's image needs the image's launch permission and its snapshots'
   * createVolumePermission for the copying account: InvalidAMIID.NotFound, or InvalidRequest for
   * the storage (moto does not check launch permissions).
   */
  COPY_SHARING,
  /** At most {@code maxConcurrentCopies} pending copies per destination account+region. */
  COPY_LIMITS,
  /**
   * A copy with a KmsKeyId the copying account cannot use (KMS DescribeKey as the caller, in the
   * destination, finds no enabled key) ends {@code failed}: "Given key ID is not accessible" (moto
   * does not check the key).
   */
  COPY_KMS
}
