package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.Consistency;
import io.amifleet.common.message.Hooks;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.hook.HookRunner;
import io.amifleet.worker.hook.HookRunner.Phase;
import io.amifleet.worker.hook.Invocation;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import io.amifleet.worker.outcome.WorkerEvents;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's pre hook, before CreateImage, and the registration of its post hook to run on every way
 * out ({@link JobContext#atExit}). Learns {@link #CONSISTENCY} for every image job (hooks or not),
 * and, for a job with a post hook, {@link #POST}.
 *
 * <p>In this order, so that each hook runs once per image:
 *
 * <ol>
 *   <li>an earlier attempt that sent pre and never post (a crashed worker) gets its post first,
 *       after its pre ended ({@link HookRunner#unfinishedPre});
 *   <li>a job whose image exists already (a redelivery, a replay) runs no hook again;
 *   <li>otherwise pre is sent, post is registered before pre's answer is in (a release while pre is
 *       being sent still gets its post, once pre ended), and pre is waited for.
 * </ol>
 *
 * <p>A pre that fails or times out fails the job with {@code HookFailed} ({@code onPreFailure:
 * skip-image}, the default) or lets it make a {@code crash}-consistent image and says so in the
 * result ({@code image-anyway}). Thread-safe.
 */
public final class PreHookStep implements JobStep {
  private static final Logger log = LoggerFactory.getLogger(PreHookStep.class);

  /** How consistent the job's image will be (what CreateImage tags it with). */
  public static final JobContext.Key<Consistency> CONSISTENCY =
      new JobContext.Key<>("consistency", Consistency.class);

  /** The job's post hook, for {@link PostHookStep} to run as soon as CreateImage returned. */
  public static final JobContext.Key<JobContext.ExitAction> POST =
      new JobContext.Key<>("post hook", JobContext.ExitAction.class);

  private final HookRunner hooks;
  private final ImageMaker maker;
  private final WorkerEvents events;

  @Inject
  public PreHookStep(HookRunner hooks, ImageMaker maker, WorkerEvents events) {
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.maker = requireNonNull(maker, "maker is null");
    this.events = WorkerEvents.guarded(requireNonNull(events, "events is null"));
  }

  @Override
  public String name() {
    return "pre hook";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    JobMessage image = job.work(JobMessage.class);
    Hooks spec = image.hooks();
    if (spec == null) {
      job.put(CONSISTENCY, Consistency.withoutHooks(image.reboot()));
      return CompletableFuture.completedFuture(null);
    }
    Ec2Target target = job.target();
    return finishEarlierPost(job, image, spec)
        .thenCompose(x -> maker.existing(target, image))
        .thenCompose(
            existing -> {
              if (existing.isPresent()) {
                ImageInfo found = existing.get();
                JobMdc.with(
                    image,
                    () ->
                        log.info(
                            "job {}: image {} exists already; its hooks do not run again",
                            image.jobId(),
                            found.imageId()));
                consistencyOf(found).ifPresent(c -> job.put(CONSISTENCY, c));
                return CompletableFuture.completedFuture(null);
              }
              return runPre(job, image, spec);
            });
  }

  /** Post for an earlier attempt's pre that never got one: after that pre ended. */
  private CompletableFuture<Void> finishEarlierPost(JobContext job, JobMessage image, Hooks spec) {
    if (spec.post() == null) {
      return CompletableFuture.completedFuture(null);
    }
    Ec2Target target = job.target();
    return hooks
        .unfinishedPre(target, image)
        .thenCompose(
            pre -> {
              if (pre.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              JobMdc.with(
                  image,
                  () ->
                      log.warn(
                          "job {}: an earlier attempt sent pre hook {} and never its post;"
                              + " running post first",
                          image.jobId(),
                          pre.get()));
              return hooks
                  .await(target, image, pre.get(), spec.pre())
                  .handle((inv, e) -> null)
                  .thenCompose(
                      x -> hooks.runPost(target, image, spec.post(), e -> recordError(job, e)));
            });
  }

  private CompletableFuture<Void> runPre(JobContext job, JobMessage image, Hooks spec) {
    Ec2Target target = job.target();
    CompletableFuture<String> sent = new CompletableFuture<>();
    // Not releasable: post waits for pre's end even when the job is released meanwhile (a thaw
    // sent before the freeze ended would run first and leave the instance frozen).
    CompletableFuture<Invocation> ended =
        sent.thenCompose(id -> hooks.await(target, image, id, spec.pre()));
    if (spec.post() != null) {
      // Registered before pre is sent: a release at any moment from here on runs post.
      JobContext.ExitAction post =
          job.atExit(
              "post hook",
              () ->
                  sent.handle((id, e) -> e == null)
                      .thenCompose(
                          wasSent ->
                              wasSent
                                  ? hooks
                                      .preEnded(target, image, ended, spec.pre())
                                      .thenCompose(
                                          x ->
                                              hooks.runPost(
                                                  target,
                                                  image,
                                                  spec.post(),
                                                  err -> recordError(job, err)))
                                  : CompletableFuture.completedFuture(null)));
      job.put(POST, post);
    }
    hooks
        .send(target, image, Phase.PRE, spec.pre())
        .whenComplete(
            (id, e) -> {
              if (e != null) {
                sent.completeExceptionally(e);
              } else {
                sent.complete(id);
              }
            });
    return job.releasable(ended.thenApply(inv -> inv))
        .thenAccept(inv -> preEnded(job, image, spec, inv));
  }

  private void preEnded(JobContext job, JobMessage image, Hooks spec, Invocation pre) {
    if (pre.succeeded()) {
      job.put(CONSISTENCY, Consistency.APPLICATION);
      return;
    }
    events.hookFailed(image, Phase.PRE.name().toLowerCase(java.util.Locale.ROOT), pre.describe());
    if (spec.onPreFailure() == Hooks.OnPreFailure.SKIP_IMAGE) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          ErrorCodes.HOOK_FAILED,
          "pre hook ("
              + spec.pre().document()
              + ") on "
              + image.instanceId()
              + " ended "
              + pre.describe()
              + "; no image made (onPreFailure: skip-image)");
    }
    Consistency fallback = Consistency.withoutHooks(image.reboot());
    JobMdc.with(
        image,
        () ->
            log.warn(
                "job {}: pre hook ended {}; making a {}-consistent image (onPreFailure:"
                    + " image-anyway)",
                image.jobId(),
                pre.describe(),
                fallback.written()));
    job.put(CONSISTENCY, fallback);
    recordError(job, "pre hook failed: " + pre.describe());
  }

  private static void recordError(JobContext job, String error) {
    job.record(r -> r.hookError(error));
  }

  private static Optional<Consistency> consistencyOf(ImageInfo image) {
    String tag = image.tags().get(Tags.CONSISTENCY);
    return Arrays.stream(Consistency.values()).filter(c -> c.written().equals(tag)).findFirst();
  }
}
