package io.amifleet.cli.run;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.embedded.EmbeddedSqs;
import io.amifleet.cli.output.ResultsTable;
import io.amifleet.cli.output.Table;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Targets;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.InProcessSqs;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.common.queue.ResultsReader;
import io.amifleet.dispatcher.DispatchReport;
import io.amifleet.dispatcher.Dispatcher;
import io.amifleet.dispatcher.DispatcherModule;
import io.amifleet.ledger.LedgerModule;
import io.amifleet.ledger.LedgerSettings;
import io.amifleet.ledger.ReportSettings;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.complete.RunCompletion;
import io.amifleet.ledger.model.Completion;
import io.amifleet.worker.WorkerModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.NewJobs;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.WorkerEvents;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-machine mode: an in-process queue (or ElasticMQ in this JVM, or real queues when given),
 * the dispatcher, and {@code workers} queue consumers, through the same code as the distributed
 * mode. Waits until every job has a result while showing progress, then prints the results table
 * and writes the JSON report. Used by {@code run} and {@code demo}. With a run ledger ({@link
 * #withLedger}) the run is recorded as the fleet's collector would record it, completed, and its
 * report page written, so that {@code runs list} and {@code runs show} work after a run on a
 * laptop.
 */
public final class SingleMachineRun {
  private static final Logger log = LoggerFactory.getLogger(SingleMachineRun.class);

  /** The embedded queues' prefix. */
  static final String EMBEDDED_PREFIX = "amifleet-run";

  /** The embedded jobs queue's redrive maxReceiveCount, as {@code queues create}'s default. */
  static final int MAX_RECEIVE_COUNT = 5;

  /** What the queue is when no real queues are given. */
  public enum EmbeddedQueue {
    /** {@link InProcessSqs}: in this process's memory, no HTTP (the default). */
    IN_PROCESS,
    /** ElasticMQ in this JVM, over HTTP on a loopback port: the SQS protocol end to end. */
    ELASTICMQ
  }

  private final CliContext context;
  private volatile RunProgress progress;
  private volatile ProgressDisplay display;
  private volatile Options running;
  private LedgerSettings ledger;
  private ReportSettings reports;
  private EmbeddedQueue embeddedQueue = EmbeddedQueue.IN_PROCESS;
  private boolean newRunId;

  /**
   * What to run.
   *
   * @param queues real queues to use instead of the embedded ones
   * @param json print the run as one JSON document (the {@code --report} one) instead of tables
   */
  public record Options(
      Targets targets,
      String runId,
      WorkerSettings worker,
      int workers,
      AwsSettings aws,
      Optional<QueueSettings> queues,
      Optional<Path> report,
      int parallelism,
      boolean stats,
      boolean pruneOnly,
      boolean json) {
    public Options {
      requireNonNull(targets, "targets is null");
      requireNonNull(runId, "runId is null");
      requireNonNull(worker, "worker is null");
      requireNonNull(aws, "aws is null");
      requireNonNull(queues, "queues is null");
      requireNonNull(report, "report is null");
      if (workers < 1 || workers > 64) {
        throw new ConfigException("--workers must be 1-64");
      }
    }
  }

  /** The outcome, for the command's exit code. */
  public record Outcome(
      DispatchReport dispatch, List<ResultMessage> results, boolean interrupted, int exitCode) {}

  public SingleMachineRun(CliContext context) {
    this.context = requireNonNull(context, "context is null");
  }

  /** Records the run in this ledger and reports it there when it completes. */
  public SingleMachineRun withLedger(LedgerSettings ledger, ReportSettings reports) {
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.reports = requireNonNull(reports, "reports is null");
    return this;
  }

  /**
   * Says that the run's ID was made for this run (not given: no earlier process sent its jobs), so
   * that over the embedded queue each job's first attempt skips the look-up for an image made
   * earlier ({@link NewJobs}).
   */
  public SingleMachineRun withNewRunId() {
    this.newRunId = true;
    return this;
  }

  private WorkerModule workerModule(WorkerModule module, String runId, boolean embedded) {
    return newRunId && embedded ? module.forNewRun(runId) : module;
  }

  /** Uses {@code queue} when no real queues are given. */
  public SingleMachineRun withEmbeddedQueue(EmbeddedQueue queue) {
    this.embeddedQueue = requireNonNull(queue, "queue is null");
    return this;
  }

  /** Runs; {@code interrupt} set (by a signal handler) stops the run early and cleanly. */
  public Outcome execute(Options options, AtomicBoolean interrupt) throws InterruptedException {
    PrintStream out = context.out();
    PrintStream err = context.err();
    try (Closer closer = new Closer()) {
      AwsSettings aws = options.aws();
      QueueSettings queues;
      boolean embedded = options.queues().isEmpty();
      boolean elasticMq = embedded && embeddedQueue == EmbeddedQueue.ELASTICMQ;
      InProcessSqs inProcess = null;
      CompletableFuture<EmbeddedSqs> starting = null;
      int port = elasticMq ? EmbeddedSqs.freePort() : 0;
      // Registered first, so closed last: after the clients and batches that talk to it.
      AtomicReference<CompletableFuture<EmbeddedSqs>> sqsStarted = new AtomicReference<>();
      if (elasticMq) {
        closer.register(
            "embedded SQS",
            () -> {
              CompletableFuture<EmbeddedSqs> f = sqsStarted.get();
              if (f != null) {
                f.thenAccept(EmbeddedSqs::close).exceptionally(e -> null).join();
              }
            });
        aws = aws.withSqsEndpoint(EmbeddedSqs.endpoint(port));
      } else if (embedded) {
        inProcess = closer.register("in-process queue", new InProcessSqs());
      }
      queues = embedded ? QueueSettings.ofPrefix(EMBEDDED_PREFIX) : options.queues().get();
      RunProgress progress = new RunProgress(Clock.systemUTC());
      this.progress = progress;
      this.running = options;
      List<WorkerEvents> listeners = new ArrayList<>(context.listeners());
      listeners.add(progress);
      var bootstrap =
          Bootstrap.of(context.environment(), closer)
              .aws(aws) // the command's settings, adjusted by the context already
              .verifyHubCredentials()
              .queues(queues)
              .install(
                  new DispatcherModule(options.parallelism()),
                  workerModule(
                      new WorkerModule(
                          // On real queues stopping lets a pending long poll finish, so keep it
                          // short; the embedded queue dies with the process and its polls are
                          // simply cancelled.
                          options.worker().withReceiveWait(Duration.ofSeconds(embedded ? 20 : 5)),
                          options.workers(),
                          WorkerEvents.all(listeners)),
                      options.runId(),
                      embedded));
      if (inProcess != null) {
        bootstrap.sqs(inProcess);
      }
      if (ledger != null) {
        // Binds the dispatcher's RunRecorder too: the run is opened before its jobs are sent.
        bootstrap.install(new LedgerModule(ledger, reports));
      }
      var injector = bootstrap.start();
      if (inProcess != null) {
        injector.getInstance(QueueAdmin.class).create(EMBEDDED_PREFIX, MAX_RECEIVE_COUNT);
      }
      if (elasticMq) {
        // Start the embedded queue in the background (it takes seconds on a cold JVM); the search
        // waits for it, since each account's jobs are sent as soon as it is searched. After the
        // injector, which checks the hub's credentials: without them, nothing is started.
        ExecutorService starter =
            Executors.newSingleThreadExecutor(Threads.named("amifleet-embedded-sqs"));
        starting = CompletableFuture.supplyAsync(() -> EmbeddedSqs.start(port), starter);
        starter.shutdown();
        sqsStarted.set(starting);
      }
      Instant started = Instant.now();
      err.printf(
          "run %s: searching %d account(s) in %d account-region(s)%s%n",
          options.runId(),
          options.targets().accounts().size(),
          options.targets().accountRegionCount(),
          embedded ? " (embedded queue)" : "");
      Dispatcher dispatcher = injector.getInstance(Dispatcher.class);
      if (!embedded) {
        injector.getInstance(Queues.class).jobsUrl(); // a wrong queue fails before any search
      }
      if (elasticMq) {
        starting.join(); // the first account's jobs go out as soon as it is searched
        injector.getInstance(QueueAdmin.class).create(EMBEDDED_PREFIX, MAX_RECEIVE_COUNT);
      }
      Worker worker = injector.getInstance(Worker.class);
      long t0 = System.nanoTime();
      Dispatcher.Resolved resolved;
      DispatchReport dispatch;
      boolean consuming = false;
      if (options.pruneOnly()) {
        resolved = dispatcher.resolvePrunes(options.targets(), options.runId());
        dispatch =
            new DispatchReport(
                options.runId(), false, List.of(), List.of(), List.of(), 0, List.of());
      } else {
        // The consumers poll while the accounts are searched: each account's jobs are sent as soon
        // as its search ends, and the first images start while the other accounts are searched.
        worker.start();
        consuming = true;
        Dispatcher.Dispatched sent;
        try {
          sent = dispatcher.dispatchAsFound(options.targets(), options.runId());
        } catch (RuntimeException e) {
          stop(worker, embedded);
          throw e;
        }
        resolved = sent.resolved();
        dispatch = sent.report();
      }
      log.debug("jobs enqueued after {} ms", (System.nanoTime() - t0) / 1_000_000);
      boolean work = !resolved.jobs().isEmpty() || !resolved.prunes().isEmpty();
      if (work && !consuming) {
        worker.start();
      } else if (!work && consuming) {
        stop(worker, embedded);
      }
      printDispatchProblems(dispatch, err);
      int expected = dispatch.enqueuedCount();
      if (!options.pruneOnly()) {
        err.printf(
            "run %s: %d job(s) enqueued; %d worker(s) making images%n",
            options.runId(), expected, options.workers());
      }

      boolean interrupted = false;
      List<String> pruneErrors = new ArrayList<>();
      if (work) {
        int prunesToSend = resolved.prunes().size();
        // The bar's total is known now: the retention jobs go out after the images, but count
        // from the start, so that the total does not jump.
        progress.expect(expected + prunesToSend);
        AtomicReference<RuntimeException> readerFailed = new AtomicReference<>();
        if (!embedded) {
          readResults(
              injector.getInstance(ResultsReader.class),
              options.runId(),
              expected + prunesToSend,
              progress,
              readerFailed);
        }
        boolean prunesSent = prunesToSend == 0;
        boolean stopped = false;
        try (ProgressDisplay shown = new ProgressDisplay(progress, err, context.terminal())) {
          display = shown;
          shown.start();
          while (true) {
            if (progress.awaitAllFor(Duration.ofMillis(200))) {
              break;
            }
            if (!prunesSent && progress.finishedAtLeast(expected)) {
              prunesSent = true;
              QueueSender.Report pruned = dispatcher.enqueuePrunes(resolved);
              pruned.failures().forEach(f -> pruneErrors.add(f.message()));
              expected += pruned.sent();
              progress.expect(expected);
              shown.println(
                  String.format(
                      "run %s: applying retention in %d account-region(s)",
                      options.runId(), pruned.sent()));
              continue;
            }
            if (readerFailed.get() != null) {
              // Without the results queue the run cannot tell when its jobs finish: stop, and
              // report what arrived (the rest is unfinished: exit 1).
              shown.println(
                  "amifleet: reading the results queue failed; stopping: "
                      + readerFailed.get().getMessage());
              stop(worker, embedded);
              stopped = true;
              break;
            }
            if (interrupt.get()) {
              // Signals printed what this waits for; the bar goes on while held jobs finish.
              stop(worker, embedded);
              stopped = true;
              interrupted = !progress.awaitAllFor(Duration.ZERO);
              break;
            }
          }
        } finally {
          display = null;
        }
        if (!stopped) {
          stop(worker, embedded);
        }
      }
      pruneErrors.forEach(e -> err.println("amifleet: retention job not enqueued: " + e));

      List<ResultMessage> results = progress.results();
      List<JobMessage> unfinished = unfinished(dispatch, results);
      Map<String, ApiCallStats.Count> apiCalls =
          injector.getInstance(ApiCallStats.class).snapshot();
      ObjectMapper mapper = injector.getInstance(ObjectMapper.class);
      ObjectNode report =
          report(
              mapper,
              options.runId(),
              started,
              dispatch,
              results,
              unfinished,
              interrupted,
              apiCalls);
      if (options.report().isPresent()) {
        writeReport(options.report().get(), mapper, report);
      }
      Optional<String> ledgerLine =
          ledger == null
              ? Optional.empty()
              : Optional.of(
                  recordInLedger(
                      injector.getInstance(RunLedger.class),
                      injector.getInstance(RunCompletion.class),
                      options.runId(),
                      results,
                      mapper.valueToTree(apiCalls)));
      if (options.json()) {
        out.println(report.toString());
      } else {
        printSummary(options, dispatch, results, unfinished, apiCalls, out);
        ledgerLine.ifPresent(out::println);
      }
      boolean allGood =
          pruneErrors.isEmpty()
              && dispatch.ok()
              && unfinished.isEmpty()
              && results.stream().allMatch(ResultMessage::succeeded);
      // 130 only when work was cut short: a Ctrl-C whose held jobs all finished in the grace
      // period ends like an uninterrupted run.
      int code = interrupted ? 130 : allGood ? 0 : 1;
      return new Outcome(dispatch, results, interrupted, code);
    }
  }

  /**
   * Records the results as the collector would (a result already there changes nothing) and
   * completes the run when every job has one: its report page is written then. Returns the line
   * that says where to look.
   */
  private static String recordInLedger(
      RunLedger ledger,
      RunCompletion completion,
      String runId,
      List<ResultMessage> results,
      JsonNode apiCalls) {
    ledger.recordAll(results);
    Optional<Completion> done = completion.check(runId, Optional.of(apiCalls));
    if (done.isPresent()) {
      return "run recorded in " + ledger.describe() + "; report: " + done.get().report();
    }
    return "run recorded in "
        + ledger.describe()
        + " (not complete: amifleet runs show "
        + runId
        + ")";
  }

  /**
   * Stops the in-process workers: held jobs get the shutdown timeout, then are released. On the
   * embedded queue, which dies with this process, a pending poll is cancelled at once.
   */
  private static void stop(Worker worker, boolean embedded) {
    if (embedded) {
      worker.shutdownNow();
    } else {
      worker.shutdown();
    }
  }

  /**
   * Prints a message for the user (a signal's notice): above the live progress line when it is
   * shown, so the two do not run into each other.
   */
  public void notice(String message) {
    ProgressDisplay d = display;
    if (d != null) {
      d.println(message);
    } else {
      context.err().println(message);
    }
  }

  /** What stopping waits for now, for the first Ctrl-C's message. */
  public String waitingFor() {
    RunProgress p = progress;
    Options o = running;
    if (p == null || o == null) {
      return "nothing has been sent yet";
    }
    RunProgress.Snapshot s = p.snapshot();
    return "no new jobs; "
        + (s.expected() - s.done())
        + " job(s) not finished get up to "
        + ResultsTable.format(o.worker().shutdownTimeout())
        + " to finish, then are released (images already requested keep being made by EC2;"
        + " rerun with --run-id "
        + o.runId()
        + " to finish them)";
  }

  private static void printSummary(
      Options options,
      DispatchReport dispatch,
      List<ResultMessage> results,
      List<JobMessage> unfinished,
      Map<String, ApiCallStats.Count> apiCalls,
      PrintStream out) {
    out.println();
    ResultsTable.print(results, out);
    if (!unfinished.isEmpty()) {
      out.printf(
          "%d job(s) did not finish: %s%n",
          unfinished.size(),
          unfinished.stream()
                  .limit(10)
                  .map(j -> j.accountId() + "/" + j.region() + "/" + j.instanceId())
                  .collect(Collectors.joining(", "))
              + (unfinished.size() > 10 ? ", …" : ""));
      out.printf(
          "rerun with --run-id %s to finish them: images already made are adopted, not made again%n",
          options.runId());
    }
    if (!dispatch.ok()) {
      out.println("some accounts or listed instances had problems; see above");
    }
    if (options.stats()) {
      printStats(apiCalls, Math.max(1, results.size()), out);
    }
    options.report().ifPresent(file -> out.println("report written to " + file));
  }

  /** AWS calls by service and operation, in total and per job (SDK attempts, retries included). */
  private static void printStats(Map<String, ApiCallStats.Count> calls, int jobs, PrintStream out) {
    Table t = new Table("AWS CALL", "CALLS", "PER JOB", "ATTEMPTS", "THROTTLED");
    calls.forEach(
        (op, c) ->
            t.row(
                op,
                c.calls(),
                String.format(Locale.ROOT, "%.2f", (double) c.calls() / jobs),
                c.attempts(),
                c.throttled()));
    out.println();
    t.print(out);
  }

  /**
   * Reads this run's results from the results queue (real queues: the workers may be elsewhere) on
   * a thread of its own; a failure of the reader (after the SDK's retries) is put in {@code failed}
   * for the run to report and stop on. A failure after the run ended (its client closed) is moot.
   */
  private static void readResults(
      ResultsReader reader,
      String runId,
      int expected,
      RunProgress progress,
      AtomicReference<RuntimeException> failed) {
    Thread t =
        new Thread(
            () -> {
              try {
                reader.read(
                    new ResultsReader.Request(
                        Optional.of(runId),
                        expected,
                        Duration.ofHours(24),
                        Duration.ofHours(24),
                        true),
                    progress::record);
              } catch (RuntimeException e) {
                failed.set(e);
              }
            },
            "amifleet-results");
    t.setDaemon(true);
    t.start();
  }

  private static List<JobMessage> unfinished(DispatchReport dispatch, List<ResultMessage> results) {
    Set<String> done = results.stream().map(ResultMessage::jobId).collect(Collectors.toSet());
    return dispatch.jobs().stream().filter(j -> !done.contains(j.jobId())).toList();
  }

  private static void printDispatchProblems(DispatchReport dispatch, PrintStream err) {
    Table problems = new Table("ACCOUNT", "NAME", "PROBLEM");
    for (DispatchReport.AccountSummary a : dispatch.accounts()) {
      a.errors().forEach(e -> problems.row(a.accountId(), a.name(), e));
      a.missing().forEach(id -> problems.row(a.accountId(), a.name(), "not found: " + id));
      a.skipped().forEach(s -> problems.row(a.accountId(), a.name(), "not imaged: " + s));
    }
    if (!problems.isEmpty()) {
      problems.print(err);
    }
  }

  /** The run as one JSON document: {@code --report FILE} and {@code -o json}. */
  private static ObjectNode report(
      ObjectMapper mapper,
      String runId,
      Instant started,
      DispatchReport dispatch,
      List<ResultMessage> results,
      List<JobMessage> unfinished,
      boolean interrupted,
      Map<String, ApiCallStats.Count> apiCalls) {
    ObjectNode root = mapper.createObjectNode();
    root.put("runId", runId);
    root.put("startedAt", started.toString());
    root.put("finishedAt", Instant.now().toString());
    root.put("interrupted", interrupted);
    ObjectNode totals = root.putObject("totals");
    totals.put("jobs", dispatch.jobCount());
    totals.put("enqueued", dispatch.enqueuedCount());
    totals.put("succeeded", results.stream().filter(ResultMessage::succeeded).count());
    totals.put(
        "failed",
        results.stream()
            .filter(r -> r.status() == io.amifleet.common.message.JobStatus.FAILED)
            .count());
    totals.put(
        "timedOut",
        results.stream()
            .filter(r -> r.status() == io.amifleet.common.message.JobStatus.TIMED_OUT)
            .count());
    totals.put("unfinished", unfinished.size());
    ArrayNode accounts = root.putArray("accounts");
    dispatch.accounts().forEach(a -> accounts.add(mapper.valueToTree(a)));
    root.set("results", mapper.valueToTree(results));
    root.set("apiCalls", mapper.valueToTree(apiCalls));
    ArrayNode left = root.putArray("unfinished");
    for (JobMessage j : unfinished) {
      left.addObject()
          .put("jobId", j.jobId())
          .put("accountId", j.accountId())
          .put("region", j.region())
          .put("instanceId", j.instanceId());
    }
    return root;
  }

  private static void writeReport(Path file, ObjectMapper mapper, ObjectNode root) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new io.amifleet.common.error.AmiFleetException(
          io.amifleet.common.error.ErrorKind.PERMANENT,
          "ReportNotWritten",
          "cannot write report " + file + ": " + e.getMessage(),
          e);
    }
  }
}
