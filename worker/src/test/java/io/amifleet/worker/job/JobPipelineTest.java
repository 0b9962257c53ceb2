package io.amifleet.worker.job;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.json.Json;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.worker.testing.TestJobs;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class JobPipelineTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");

  private final MessageCodec codec = new MessageCodec(Json.newMapper());
  private final JobMessage image = TestJobs.job();
  private final JobContext job = new JobContext(TestJobs.received(codec, image, 1), image, NOW);
  private final List<String> journal = new CopyOnWriteArrayList<>();

  /** A step that notes its name (and the job ID in the MDC) and completes with {@code result}. */
  private JobStep step(String name, CompletableFuture<Void> result) {
    return new JobStep() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CompletableFuture<Void> run(JobContext job) {
        journal.add(name + " " + MDC.get(JobMdc.JOB_ID));
        return result;
      }
    };
  }

  private JobStep step(String name) {
    return step(name, CompletableFuture.completedFuture(null));
  }

  private JobContext.ExitAction exitAction(JobContext job, String name) {
    return job.atExit(
        name,
        () -> {
          journal.add(name);
          return CompletableFuture.completedFuture(null);
        });
  }

  @Test
  void stepsRunInOrderEachWithTheJobInTheLoggingContext() throws Exception {
    JobPipeline pipeline = JobPipeline.of(JobMessage.class, step("a"), step("b"), step("c"));

    assertThat(pipeline.run(job).get(5, SECONDS)).isNull();

    assertThat(journal)
        .containsExactly("a " + image.jobId(), "b " + image.jobId(), "c " + image.jobId());
    assertThat(pipeline.stepNames()).containsExactly("a", "b", "c");
    assertThat(MDC.get(JobMdc.JOB_ID)).as("the MDC is left as it was").isNull();
  }

  @Test
  void aFailingStepEndsTheJobWithItsErrorAndNoLaterStepRuns() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    JobPipeline pipeline =
        JobPipeline.of(
            JobMessage.class,
            step("a"),
            step("b", CompletableFuture.failedFuture(boom)),
            step("c"));

    assertThat(pipeline.run(job).get(5, SECONDS)).isSameAs(boom);

    assertThat(journal).extracting(e -> e.split(" ")[0]).containsExactly("a", "b");
  }

  @Test
  void aStepThatThrowsInsteadOfFailingItsFutureEndsTheJobToo() throws Exception {
    JobStep throwing =
        new JobStep() {
          @Override
          public String name() {
            return "throws";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            throw new IllegalArgumentException("bad");
          }
        };

    Throwable error = JobPipeline.of(JobMessage.class, throwing).run(job).get(5, SECONDS);

    assertThat(error).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
  }

  @Test
  void aReleasedJobStartsNoFurtherStepCancelsWhatItWaitsOnAndRunsItsExitActions() throws Exception {
    CompletableFuture<Void> waiting = new CompletableFuture<>();
    CompletableFuture<String> call = new CompletableFuture<>();
    JobStep waits =
        new JobStep() {
          @Override
          public String name() {
            return "waits";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            exitAction(job, "post");
            job.releasable(call);
            return waiting;
          }
        };
    CompletableFuture<Throwable> ended =
        JobPipeline.of(JobMessage.class, waits, step("after")).run(job);

    job.release();

    assertThat(ended.get(5, SECONDS)).isInstanceOf(WorkerStopping.class);
    assertThat(call).isCancelled();
    waiting.complete(null); // the step finishing late starts nothing
    assertThat(journal).containsExactly("post");
  }

  @Test
  void exitActionsRunOnEveryWayOutNewestFirstAndOnlyOnce() throws Exception {
    JobStep registers =
        new JobStep() {
          @Override
          public String name() {
            return "registers";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            exitAction(job, "first registered");
            exitAction(job, "second registered");
            return CompletableFuture.completedFuture(null);
          }
        };
    JobStep failsAfterRunningOne =
        new JobStep() {
          @Override
          public String name() {
            return "fails";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            JobContext.ExitAction early = exitAction(job, "run early");
            return early
                .runNow()
                .thenCompose(x -> CompletableFuture.failedFuture(new IllegalStateException()));
          }
        };

    JobPipeline.of(JobMessage.class, registers, failsAfterRunningOne).run(job).get(5, SECONDS);

    assertThat(journal).containsExactly("run early", "second registered", "first registered");
  }

  @Test
  void aFailingExitActionDoesNotChangeHowTheJobEnded() throws Exception {
    JobStep registers =
        new JobStep() {
          @Override
          public String name() {
            return "registers";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            job.atExit("fails", () -> CompletableFuture.failedFuture(new IllegalStateException()));
            exitAction(job, "runs anyway");
            return CompletableFuture.completedFuture(null);
          }
        };

    assertThat(JobPipeline.of(JobMessage.class, registers).run(job).get(5, SECONDS)).isNull();
    assertThat(journal).containsExactly("runs anyway");
  }

  @Test
  void whatAStepLearnsIsThereForTheStepsAfterIt() throws Exception {
    JobContext.Key<String> color = new JobContext.Key<>("color", String.class);
    JobStep learns =
        new JobStep() {
          @Override
          public String name() {
            return "learns";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            job.put(color, "blue");
            job.record(r -> r.imageId("ami-blue"));
            return CompletableFuture.completedFuture(null);
          }
        };
    JobStep uses =
        new JobStep() {
          @Override
          public String name() {
            return "uses";
          }

          @Override
          public CompletableFuture<Void> run(JobContext job) {
            journal.add(job.get(color));
            return CompletableFuture.completedFuture(null);
          }
        };

    JobPipeline.of(JobMessage.class, learns, uses).run(job).get(5, SECONDS);

    assertThat(journal).containsExactly("blue");
    assertThat(job.result().succeeded(NOW).imageId()).isEqualTo("ami-blue");
  }

  @Test
  void aFactAskedForBeforeAnyStepLearntItIsAPipelineInTheWrongOrder() {
    JobContext.Key<String> missing = new JobContext.Key<>("missing", String.class);

    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> job.get(missing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no missing yet");
  }
}
