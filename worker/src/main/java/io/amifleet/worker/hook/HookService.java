package io.amifleet.worker.hook;

import io.amifleet.common.message.HookCommand;
import io.amifleet.worker.image.Ec2Target;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The SSM Run Command operations of the hooks, in the target account ({@link SsmHookService} over
 * the SDK). Futures fail with {@link io.amifleet.common.error.AmiFleetException}.
 */
public interface HookService {
  /** SendCommand of {@code command} to one instance, with {@code comment}; the command ID. */
  CompletableFuture<String> send(
      Ec2Target target, String instanceId, HookCommand command, String comment);

  /** GetCommandInvocation: where the command is on the instance (pending while SSM lags). */
  CompletableFuture<Invocation> invocation(Ec2Target target, String commandId, String instanceId);

  /** ListCommands of the instance (SSM keeps them 30 days), newest first. */
  CompletableFuture<List<SentCommand>> sentTo(Ec2Target target, String instanceId);

  /** A command sent to an instance, as ListCommands gives it. */
  record SentCommand(String commandId, String comment, Instant requestedAt) {}
}
