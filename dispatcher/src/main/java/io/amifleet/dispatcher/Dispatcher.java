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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

  /** Resolves and enqueues (or, with {@code dryRun}, only resolves); see the class comment. */
  public DispatchReport dispatch(Targets targets, String runId, boolean dryRun) {
    Optional<String> jobsUrl = dryRun ? Optional.empty() : Optional.of(queues.jobsUrl());
    Resolved resolved = resolve(targets, runId);
    return send(resolved, jobsUrl);
  }

  /**
   * The instances of every account and their jobs, nothing sent yet. Single-machine mode resolves
   * while its embedded queue starts.
   */
  public Resolved resolve(Targets listed, String runId) {
    Instant now = clock.instant();
    Targets targets = organization.expand(listed);
    if (targets.accounts().isEmpty()) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "NoAccounts",
          listed.source()
              + ": the organization has no active account in the given OUs (after exclude)");
    }
    List<AccountResolution> resolutions = resolver.resolve(targets);
    List<PruneMessage> prunes = new ArrayList<>();
    for (AccountResolution r : resolutions) {
      if (r.errors().isEmpty()) {
        prunes.addAll(PruneJobs.forAccount(runId, r.account(), now));
      }
    }
    List<JobMessage> jobs = new ArrayList<>();
    List<Integer> jobAccount = new ArrayList<>();
    for (int a = 0; a < resolutions.size(); a++) {
      AccountResolution r = resolutions.get(a);
      for (FoundInstance instance : r.instances()) {
        jobs.add(JobBuilder.build(runId, r.account(), instance, now));
        jobAccount.add(a);
      }
    }
    return new Resolved(runId, resolutions, jobs, jobAccount, prunes, listed.source(), now);
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

  /** Enqueues what {@link #resolve} found, on the jobs queue. */
  public DispatchReport enqueue(Resolved resolved) {
    return send(resolved, Optional.of(queues.jobsUrl()));
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

  private DispatchReport send(Resolved resolved, Optional<String> jobsUrl) {
    List<AccountResolution> resolutions = resolved.resolutions();
    List<JobMessage> jobs = resolved.jobs();
    List<Integer> jobAccount = resolved.jobAccount();
    int[] enqueued = new int[resolutions.size()];
    List<List<String>> sendErrors = new ArrayList<>();
    resolutions.forEach(r -> sendErrors.add(new ArrayList<>()));
    int prunesEnqueued = 0;
    List<String> pruneErrors = new ArrayList<>();
    // Recorded once, after both sends: a collector completes no run whose jobs are still going out.
    List<DispatchedJob> dispatched = new ArrayList<>();
    if (jobsUrl.isPresent() && !(jobs.isEmpty() && resolved.prunes().isEmpty())) {
      ledger.opened(resolved.opening());
    }
    if (jobsUrl.isPresent() && !resolved.prunes().isEmpty()) {
      QueueSender.Report report = enqueuer.enqueue(jobsUrl.get(), resolved.prunes());
      dispatched.addAll(accepted(resolved.prunes(), report));
      prunesEnqueued = report.sent();
      for (QueueSender.Failure f : report.failures()) {
        PruneMessage p = resolved.prunes().get(f.index());
        pruneErrors.add(
            "retention job for "
                + p.accountId()
                + "/"
                + p.region()
                + " not enqueued: "
                + f.message());
      }
    }
    if (jobsUrl.isPresent() && !jobs.isEmpty()) {
      QueueSender.Report report = enqueuer.enqueue(jobsUrl.get(), jobs);
      dispatched.addAll(accepted(jobs, report));
      for (int i = 0; i < jobs.size(); i++) {
        if (report.messageIds().get(i) != null) {
          enqueued[jobAccount.get(i)]++;
        }
      }
      // One line per account+region, not one per job: when the queue is unreachable every job
      // fails with the same long SDK message.
      Map<Integer, Map<String, List<QueueSender.Failure>>> failed = new TreeMap<>();
      for (QueueSender.Failure f : report.failures()) {
        failed
            .computeIfAbsent(jobAccount.get(f.index()), a -> new TreeMap<>())
            .computeIfAbsent(jobs.get(f.index()).region(), r -> new ArrayList<>())
            .add(f);
      }
      failed.forEach(
          (account, byRegion) ->
              byRegion.forEach(
                  (region, failures) ->
                      sendErrors.get(account).add(notEnqueued(region, failures, jobs))));
    }

    if (jobsUrl.isPresent() && !(jobs.isEmpty() && resolved.prunes().isEmpty())) {
      ledger.dispatched(resolved.runId(), dispatched);
    }
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
        jobsUrl.isEmpty(),
        summaries,
        jobs,
        resolved.prunes(),
        prunesEnqueued,
        pruneErrors);
  }
}
