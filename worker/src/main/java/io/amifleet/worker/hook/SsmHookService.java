package io.amifleet.worker.hook;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.SsmClients;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.HookCommand;
import io.amifleet.worker.image.Ec2Target;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * {@link HookService} over the SDK's async SSM client, acting in the target account with
 * assumed-role credentials. Errors are translated here, where they enter the project. Thread-safe.
 *
 * <p>SendCommand, like CreateImage, must not be retried blindly: it takes no client token
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html), so a
 * retry after an answer lost on the network runs the script twice (a second {@code fsfreeze -f}
 * fails, a second pause may pause what the first's post would not resume). The SDK retries it only
 * when SSM answered that it was throttled; anything else goes back to the job.
 */
public final class SsmHookService implements HookService {
  /**
   * SendCommand's TimeoutSeconds (how long SSM tries to deliver the command) is at least 30 s
   * (API_SendCommand, TimeoutSeconds: "Minimum value of 30").
   */
  static final int MIN_DELIVERY_TIMEOUT_SECONDS = 30;

  /** Retries of SendCommand: throttling answers only, at most the standard three attempts. */
  static final RetryStrategy SEND_RETRIES =
      DefaultRetryStrategy.standardStrategyBuilder()
          .retryOnException(AwsErrors::isThrottling)
          .treatAsThrottling(AwsErrors::isThrottling)
          .circuitBreakerEnabled(false)
          .build();

  private static final SdkPlugin NO_BLIND_RETRIES =
      config ->
          config.overrideConfiguration(
              ClientOverrideConfiguration.builder().retryStrategy(SEND_RETRIES).build());

  private final SsmClients clients;

  @Inject
  public SsmHookService(SsmClients clients) {
    this.clients = requireNonNull(clients, "clients is null");
  }

  @Override
  public CompletableFuture<String> send(
      Ec2Target target, String instanceId, HookCommand command, String comment) {
    return call(
        target,
        "SendCommand " + command.document() + " to " + instanceId,
        () ->
            ssm(target)
                .sendCommand(
                    b ->
                        b.overrideConfiguration(o -> o.addPlugin(NO_BLIND_RETRIES))
                            .instanceIds(instanceId)
                            .documentName(command.document())
                            .parameters(command.parameters())
                            .comment(comment)
                            .timeoutSeconds(
                                Math.max(MIN_DELIVERY_TIMEOUT_SECONDS, command.timeoutSeconds())))
                .thenApply(r -> r.command().commandId()));
  }

  @Override
  public CompletableFuture<Invocation> invocation(
      Ec2Target target, String commandId, String instanceId) {
    CompletableFuture<Invocation> f;
    try {
      f =
          ssm(target)
              .getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId))
              .thenApply(
                  r ->
                      new Invocation(
                          commandId,
                          r.statusAsString(),
                          r.responseCode() == null ? -1 : r.responseCode(),
                          r.standardErrorContent() == null || r.standardErrorContent().isBlank()
                              ? r.standardOutputContent()
                              : r.standardErrorContent()));
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle(
        (inv, e) -> {
          if (e == null) {
            return inv;
          }
          // Right after SendCommand, SSM may not know the invocation yet (eventual consistency).
          if ("InvocationDoesNotExist".equals(AwsErrors.errorCodeOf(e))) {
            return Invocation.pending(commandId);
          }
          throw AwsErrors.translate(
              e, "GetCommandInvocation " + commandId + " on " + instanceId + " in " + target);
        });
  }

  @Override
  public CompletableFuture<List<SentCommand>> sentTo(Ec2Target target, String instanceId) {
    return call(
        target,
        "ListCommands of " + instanceId,
        () -> {
          List<SentCommand> all = Collections.synchronizedList(new ArrayList<>());
          return ssm(target)
              .listCommandsPaginator(b -> b.instanceId(instanceId))
              .commands()
              .subscribe(
                  c -> all.add(new SentCommand(c.commandId(), c.comment(), c.requestedDateTime())))
              .thenApply(
                  x -> {
                    List<SentCommand> sorted = new ArrayList<>(all);
                    sorted.sort(
                        Comparator.comparing(
                                SentCommand::requestedAt,
                                Comparator.nullsFirst(Comparator.<java.time.Instant>naturalOrder()))
                            .reversed());
                    return List.copyOf(sorted);
                  });
        });
  }

  private SsmAsyncClient ssm(Ec2Target target) {
    return clients.client(target.role(), target.region());
  }

  private static <T> CompletableFuture<T> call(
      Ec2Target target, String what, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle(
        (v, e) -> {
          if (e != null) {
            throw AwsErrors.translate(e, what + " in " + target);
          }
          return v;
        });
  }
}
