package io.amifleet.dispatcher;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.ledger.RunRecorder;
import io.amifleet.common.ledger.RunRecorder.DispatchedJob;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.Queues;
import io.amifleet.dispatcher.enqueue.JobEnqueuer;
import io.amifleet.dispatcher.job.JobBuilder;
import io.amifleet.dispatcher.job.PruneJobs;
import io.amifleet.dispatcher.resolve.AccountResolution;
import io.amifleet.dispatcher.resolve.FoundInstance;
import io.amifleet.dispatcher.resolve.TargetResolver;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The dispatcher: resolves targets into instances, builds one job per instance and enqueues them.
 * The jobs queue is looked up before any account is searched, so a wrong queue fails the command
 * before anything is sent. With a run ledger, the run is opened in it before the first job is sent
 * and the jobs the queue accepted are recorded after ({@link RunRecorder}).
 */
public final class Dispatcher {
  private final TargetResolver resolver;
  private final JobEnqueuer enqueuer;
  private final Queues queues;
  private final Clock clock;
  private final OrganizationAccounts organization;
  private final RunRecorder ledger;

  @Inject
  public Dispatcher(
      TargetResolver resolver,
      JobEnqueuer enqueuer,
      Queues queues,
      Clock clock,
      OrganizationAccounts organization,
      RunRecorder ledger) {
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.organization = requireNonNull(organization, "organization is null");
    this.resolver = requireNonNull(resolver, "resolver is null");
    this.enqueuer = requireNonNull(enqueuer, "enqueuer is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Resolves and enqueues (or, with {@code dryRun}, only resolves); see the class comment. Each
   * account's jobs (and retention jobs) are sent as soon as its search ends.
   */
  public DispatchReport dispatch(Targets targets, String runId, boolean dryRun) {
    if (dryRun) {
      Resolved resolved = resolve(targets, runId);
      return report(
          resolved,
          new int[resolved.resolutions().size()],
          emptyErrors(resolved.resolutions().size()),
          true,
          0,
          List.of());
    }
    return sendAsFound(targets, runId, queues.jobsUrl(), true).report();
  }

  /**
   * Single-machine mode: resolves and enqueues the image jobs, each account's as soon as its search
   * ends, so that the workers start on the first account while the others are still searched. The
   * retention jobs are found but not sent: {@link #enqueuePrunes} sends them after the images.
   */
  public Dispatched dispatchAsFound(Targets targets, String runId) {
    return sendAsFound(targets, runId, queues.jobsUrl(), false);
  }

  /** What {@link #dispatchAsFound} sent, and what it found (with the retention jobs not sent). */
  public record Dispatched(Resolved resolved, DispatchReport report) {
    public Dispatched {
      requireNonNull(resolved, "resolved is null");
      requireNonNull(report, "report is null");
    }
  }

  /**
   * The instances of every account and their jobs, nothing sent yet. Single-machine mode resolves
   * while its embedded queue starts.
   */
  public Resolved resolve(Targets listed, String runId) {
    Instant now = clock.instant();
    List<AccountResolution> resolutions = resolver.resolve(expand(listed));
    return Resolved.of(
        runId,
        resolutions,
        resolutions.stream().map(r -> jobsOf(runId, r, now)).toList(),
        resolutions.stream().map(r -> prunesOf(runId, r, now)).toList(),
        listed.source(),
        now);
  }

  /** The targets with the organization's accounts in place of its OUs; none is an error. */
  private Targets expand(Targets listed) {
    Targets targets = organization.expand(listed);
    if (targets.accounts().isEmpty()) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "NoAccounts",
          listed.source()
              + ": the organization has no active account in the given OUs (after exclude)");
    }
    return targets;
  }

  /**
   * Only the retention jobs of the targets (one per region of each account with a policy), with no
   * instance search.
   */
  public Resolved resolvePrunes(Targets listed, String runId) {
    Instant now = clock.instant();
    Targets targets = organization.expand(listed);
    List<PruneMessage> prunes = new ArrayList<>();
    for (var account : targets.accounts()) {
      prunes.addAll(PruneJobs.forAccount(runId, account, now));
    }
    return new Resolved(runId, List.of(), List.of(), List.of(), prunes, listed.source(), now);
  }

  /** Enqueues only the retention jobs of {@code resolved}. */
  public QueueSender.Report enqueuePrunes(Resolved resolved) {
    ledger.opened(resolved.opening());
    QueueSender.Report report = enqueuer.enqueue(queues.jobsUrl(), resolved.prunes());
    ledger.dispatched(resolved.runId(), accepted(resolved.prunes(), report));
    return report;
  }

  /**
   * What {@link #resolve} found: per account, and the jobs (with the index of their account).
   *
   * @param source where the targets came from, for the run ledger
   * @param resolvedAt when the run started, for the run ledger
   */
  public record Resolved(
      String runId,
      List<AccountResolution> resolutions,
      List<JobMessage> jobs,
      List<Integer> jobAccount,
      List<PruneMessage> prunes,
      String source,
      Instant resolvedAt) {
    public Resolved {
      resolutions = List.copyOf(resolutions);
      jobs = List.copyOf(jobs);
      jobAccount = List.copyOf(jobAccount);
      prunes = List.copyOf(prunes);
      requireNonNull(source, "source is null");
      requireNonNull(resolvedAt, "resolvedAt is null");
    }

    /** The jobs and retention jobs built for each account of {@code resolutions}, in order. */
    static Resolved of(
        String runId,
        List<AccountResolution> resolutions,
        List<List<JobMessage>> jobsByAccount,
        List<List<PruneMessage>> prunesByAccount,
        String source,
        Instant resolvedAt) {
      List<JobMessage> jobs = new ArrayList<>();
      List<Integer> jobAccount = new ArrayList<>();
      List<PruneMessage> prunes = new ArrayList<>();
      for (int a = 0; a < resolutions.size(); a++) {
        for (JobMessage job : jobsByAccount.get(a)) {
          jobs.add(job);
          jobAccount.add(a);
        }
        prunes.addAll(prunesByAccount.get(a));
      }
      return new Resolved(runId, resolutions, jobs, jobAccount, prunes, source, resolvedAt);
    }

    /** The same without its retention jobs (single-machine mode sends them after the images). */
    public Resolved withoutPrunes() {
      return new Resolved(runId, resolutions, jobs, jobAccount, List.of(), source, resolvedAt);
    }

    RunRecorder.RunOpening opening() {
      return new RunRecorder.RunOpening(runId, source, resolvedAt);
    }
  }

  /** The jobs of {@code sent} that the queue accepted, as the ledger records them. */
  private static List<DispatchedJob> accepted(
      List<? extends io.amifleet.common.message.WorkItem> sent, QueueSender.Report report) {
    List<DispatchedJob> jobs = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (report.messageIds().get(i) != null) {
        jobs.add(DispatchedJob.of(sent.get(i)));
      }
    }
    return jobs;
  }

  /** How many instances shown by name in a line about jobs not enqueued. */
  static final int INSTANCES_SHOWN = 3;

  /**
   * "not enqueued in us-east-1: 40 job(s) (i-1, i-2, i-3 and 37 more): <the error>", with the
   * number of other distinct errors when there are some.
   */
  static String notEnqueued(
      String region, List<QueueSender.Failure> failures, List<JobMessage> jobs) {
    List<String> instances =
        failures.stream().map(f -> jobs.get(f.index()).instanceId()).sorted().toList();
    String shown =
        String.join(", ", instances.subList(0, Math.min(INSTANCES_SHOWN, instances.size())));
    if (instances.size() > INSTANCES_SHOWN) {
      shown += " and " + (instances.size() - INSTANCES_SHOWN) + " more";
    }
    List<String> errors = failures.stream().map(QueueSender.Failure::message).distinct().toList();
    String line =
        "not enqueued in "
            + region
            + ": "
            + failures.size()
            + " job(s) ("
            + shown
            + "): "
            + errors.get(0);
    return errors.size() == 1 ? line : line + " (and " + (errors.size() - 1) + " other error(s))";
  }

  /** One job per instance the account's search found. */
  private static List<JobMessage> jobsOf(String runId, AccountResolution r, Instant now) {
    List<JobMessage> jobs = new ArrayList<>();
    for (FoundInstance instance : r.instances()) {
      jobs.add(JobBuilder.build(runId, r.account(), instance, now));
    }
    return jobs;
  }

  /** The account's retention jobs, unless its search failed somewhere. */
  private static List<PruneMessage> prunesOf(String runId, AccountResolution r, Instant now) {
    return r.errors().isEmpty() ? PruneJobs.forAccount(runId, r.account(), now) : List.of();
  }

  /**
   * Searches every account and sends each one's jobs on this thread as soon as its search ends (in
   * the order searches end), with its retention jobs first when {@code withPrunes}. The run is
   * opened in the ledger before the first send; the accepted jobs are recorded once, after the last
   * send, so that a collector completes no run whose jobs are still going out.
   */
  private Dispatched sendAsFound(Targets listed, String runId, String jobsUrl, boolean withPrunes) {
    Instant now = clock.instant();
    List<CompletableFuture<AccountResolution>> searches = resolver.search(expand(listed));
    int n = searches.size();
    BlockingQueue<Integer> ended = new LinkedBlockingQueue<>();
    for (int a = 0; a < n; a++) {
      int account = a;
      searches.get(a).whenComplete((r, e) -> ended.add(account));
    }
    RunRecorder.RunOpening opening = new RunRecorder.RunOpening(runId, listed.source(), now);
    boolean opened = false;
    int[] enqueued = new int[n];
    List<List<String>> sendErrors = emptyErrors(n);
    int prunesEnqueued = 0;
    List<String> pruneErrors = new ArrayList<>();
    List<DispatchedJob> dispatched = new ArrayList<>();
    List<List<JobMessage>> jobsByAccount = new ArrayList<>(nulls(n));
    List<List<PruneMessage>> prunesByAccount = new ArrayList<>(nulls(n));
    for (int k = 0; k < n; k++) {
      int a = takeUninterruptibly(ended);
      AccountResolution r = searches.get(a).join();
      List<JobMessage> jobs = jobsOf(runId, r, now);
      List<PruneMessage> found = prunesOf(runId, r, now);
      jobsByAccount.set(a, jobs);
      prunesByAccount.set(a, found);
      List<PruneMessage> prunes = withPrunes ? found : List.of();
      if ((!prunes.isEmpty() || !jobs.isEmpty()) && !opened) {
        ledger.opened(opening);
        opened = true;
      }
      if (!prunes.isEmpty()) {
        QueueSender.Report report = enqueuer.enqueue(jobsUrl, prunes);
        dispatched.addAll(accepted(prunes, report));
        prunesEnqueued += report.sent();
        for (QueueSender.Failure f : report.failures()) {
          PruneMessage p = prunes.get(f.index());
          pruneErrors.add(
              "retention job for "
                  + p.accountId()
                  + "/"
                  + p.region()
                  + " not enqueued: "
                  + f.message());
        }
      }
      if (!jobs.isEmpty()) {
        QueueSender.Report report = enqueuer.enqueue(jobsUrl, jobs);
        dispatched.addAll(accepted(jobs, report));
        enqueued[a] = report.sent();
        // One line per region, not one per job: when the queue is unreachable every job fails
        // with the same long SDK message.
        Map<String, List<QueueSender.Failure>> byRegion = new TreeMap<>();
        for (QueueSender.Failure f : report.failures()) {
          byRegion.computeIfAbsent(jobs.get(f.index()).region(), x -> new ArrayList<>()).add(f);
        }
        byRegion.forEach(
            (region, failures) -> sendErrors.get(a).add(notEnqueued(region, failures, jobs)));
      }
    }
    if (opened) {
      ledger.dispatched(runId, dispatched);
    }
    List<AccountResolution> resolutions = searches.stream().map(CompletableFuture::join).toList();
    Resolved resolved =
        Resolved.of(runId, resolutions, jobsByAccount, prunesByAccount, listed.source(), now);
    Resolved sent = withPrunes ? resolved : resolved.withoutPrunes();
    return new Dispatched(
        resolved, report(sent, enqueued, sendErrors, false, prunesEnqueued, pruneErrors));
  }

  private static int takeUninterruptibly(BlockingQueue<Integer> queue) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return queue.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T> List<T> nulls(int n) {
    return Collections.nCopies(n, null);
  }

  private static List<List<String>> emptyErrors(int accounts) {
    List<List<String>> errors = new ArrayList<>();
    for (int a = 0; a < accounts; a++) {
      errors.add(new ArrayList<>());
    }
    return errors;
  }

  /** The per-account summary of what was found ({@code resolved}) and sent. */
  private static DispatchReport report(
      Resolved resolved,
      int[] enqueued,
      List<List<String>> sendErrors,
      boolean dryRun,
      int prunesEnqueued,
      List<String> pruneErrors) {
    List<AccountResolution> resolutions = resolved.resolutions();
    List<DispatchReport.AccountSummary> summaries = new ArrayList<>();
    for (int a = 0; a < resolutions.size(); a++) {
      AccountResolution r = resolutions.get(a);
      List<String> errors = new ArrayList<>(r.errors());
      errors.addAll(sendErrors.get(a));
      summaries.add(
          new DispatchReport.AccountSummary(
              r.account().id(),
              r.account().label(),
              r.account().regions(),
              r.instances().size(),
              enqueued[a],
              errors,
              r.missing(),
              r.skipped().stream()
                  .map(i -> i.instanceId() + " (" + i.state() + ", " + i.region() + ")")
                  .toList()));
    }
    return new DispatchReport(
        resolved.runId(),
        dryRun,
        summaries,
        resolved.jobs(),
        resolved.prunes(),
        prunesEnqueued,
        pruneErrors);
  }
}
