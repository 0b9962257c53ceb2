package io.amifleet.common.message;

/**
 * What a message on the jobs queue asks for: an image of one instance ({@link JobMessage}), or the
 * retention of one account+region applied ({@link PruneMessage}).
 */
public sealed interface WorkItem permits JobMessage, PruneMessage {
  String jobId();

  String runId();

  String accountId();

  String region();

  String roleArn();

  String externalId();
}
