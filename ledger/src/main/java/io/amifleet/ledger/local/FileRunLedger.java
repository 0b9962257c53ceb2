package io.amifleet.ledger.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.ledger.LedgerSettings;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.Orphan;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The run ledger in local files, for {@code run} on a machine without a ledger table: one JSON
 * document per run ({@code DIR/RUN/ledger.json}: the run, the jobs sent, the results kept), the
 * run's report beside it, and {@code DIR/orphans.json}. The rules are {@link RunLedger}'s; they
 * hold within this process (the methods are synchronized, files are replaced atomically), which is
 * all {@code run} needs: one process writes a run. Thread-safe.
 */
public final class FileRunLedger implements RunLedger {
  static final String FILE = "ledger.json";

  private final Path directory;
  private final LedgerSettings settings;
  private final ObjectMapper mapper;
  private final Clock clock;

  /** The file's content. */
  record Document(RunRecord run, List<DispatchedJob> sent, Map<String, ResultMessage> results) {
    Document {
      requireNonNull(run, "run is null");
      sent = sent == null ? List.of() : List.copyOf(sent);
      results = results == null ? Map.of() : Map.copyOf(results);
    }
  }

  public FileRunLedger(LedgerSettings settings, ObjectMapper mapper, Clock clock) {
    this.settings = requireNonNull(settings, "settings is null");
    this.directory = settings.directory();
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String describe() {
    return directory.toString();
  }

  /** The run's own directory (its report goes there too). */
  public Path runDirectory(String runId) {
    if (runId.isEmpty() || runId.contains("/") || runId.contains("\\") || runId.startsWith(".")) {
      throw new IllegalArgumentException("not a run ID: " + runId);
    }
    return directory.resolve(runId);
  }

  @Override
  public synchronized void opened(RunOpening run) {
    if (load(run.runId()).isPresent()) {
      return;
    }
    RunRecord record =
        new RunRecord(
            run.runId(),
            run.source(),
            run.startedAt(),
            run.startedAt().plus(settings.deadline()),
            null,
            Map.of(),
            null);
    save(new Document(record, List.of(), Map.of()));
  }

  @Override
  public synchronized void dispatched(String runId, List<DispatchedJob> jobs) {
    Document doc = require(runId);
    Map<String, DispatchedJob> sent = new LinkedHashMap<>();
    doc.sent().forEach(j -> sent.put(j.jobId(), j));
    jobs.forEach(j -> sent.put(j.jobId(), j));
    Map<String, Integer> counts = new TreeMap<>();
    sent.values().forEach(j -> counts.merge(j.accountId() + "/" + j.region(), 1, Integer::sum));
    save(
        new Document(
            doc.run().withDispatched(clock.instant(), counts),
            new ArrayList<>(sent.values()),
            doc.results()));
  }

  @Override
  public synchronized Recorded record(ResultMessage result) {
    return recordAll(List.of(result)).get(0);
  }

  /**
   * Reads each run's file once and writes it once, however many of its results are given: one by
   * one, the file (every job and result of the run) was read and rewritten per result, which made
   * recording a run's N results cost N² (seconds at the end of a 400-job run).
   */
  @Override
  public synchronized List<Recorded> recordAll(List<ResultMessage> results) {
    Map<String, Document> docs = new LinkedHashMap<>();
    Map<String, Map<String, ResultMessage>> changed = new LinkedHashMap<>();
    List<Recorded> outcomes = new ArrayList<>(results.size());
    for (ResultMessage result : results) {
      String runId = result.runId();
      Document doc = docs.computeIfAbsent(runId, id -> load(id).orElse(null));
      if (doc == null) {
        outcomes.add(Recorded.UNKNOWN_RUN);
        continue;
      }
      Map<String, ResultMessage> kept =
          changed.computeIfAbsent(runId, id -> new LinkedHashMap<>(doc.results()));
      ResultMessage before = kept.get(result.jobId());
      if (before != null && !result.supersedes(before)) {
        outcomes.add(Recorded.UNCHANGED);
        continue;
      }
      kept.put(result.jobId(), result);
      outcomes.add(before == null ? Recorded.NEW : Recorded.REPLACED);
    }
    changed.forEach(
        (runId, kept) -> {
          Document doc = docs.get(runId);
          if (!kept.equals(doc.results())) {
            save(new Document(doc.run(), doc.sent(), kept));
          }
        });
    return outcomes;
  }

  @Override
  public synchronized void orphan(Orphan orphan) {
    List<Orphan> all = new ArrayList<>(readOrphans());
    if (all.stream().noneMatch(o -> o.messageId().equals(orphan.messageId()))) {
      all.add(orphan);
      write(directory.resolve("orphans.json"), all);
    }
  }

  @Override
  public synchronized Optional<RunView> run(String runId) {
    return load(runId).map(FileRunLedger::view);
  }

  private static RunView view(Document doc) {
    Map<String, ResultMessage> results = new LinkedHashMap<>(doc.results());
    List<JobEntry> jobs = new ArrayList<>();
    for (DispatchedJob j : doc.sent()) {
      jobs.add(
          new JobEntry(
              j.jobId(),
              j.accountId(),
              j.region(),
              j.instanceId(),
              j.kind(),
              true,
              results.remove(j.jobId())));
    }
    results.values().forEach(r -> jobs.add(JobEntry.of(r, false)));
    return new RunView(doc.run(), jobs);
  }

  @Override
  public synchronized List<RunRecord> runs(Instant since) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    List<RunRecord> runs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(directory)) {
      for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve(FILE))).toList()) {
        load(d.getFileName().toString())
            .map(Document::run)
            .filter(r -> !r.startedAt().isBefore(since))
            .ifPresent(runs::add);
      }
    } catch (IOException e) {
      throw unreadable(directory, e);
    }
    runs.sort(Comparator.comparing(RunRecord::startedAt).reversed());
    return runs;
  }

  @Override
  public synchronized boolean complete(String runId, Completion completion) {
    Document doc = require(runId);
    if (doc.run().completed()) {
      return false;
    }
    save(new Document(doc.run().withCompletion(completion), doc.sent(), doc.results()));
    return true;
  }

  @Override
  public synchronized List<Orphan> orphans(Instant since) {
    return readOrphans().stream()
        .filter(o -> !o.receivedAt().isBefore(since))
        .sorted(Comparator.comparing(Orphan::receivedAt).reversed())
        .toList();
  }

  private List<Orphan> readOrphans() {
    Path file = directory.resolve("orphans.json");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      return mapper.readValue(file.toFile(), new TypeReference<List<Orphan>>() {});
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private Document require(String runId) {
    return load(runId)
        .orElseThrow(
            () ->
                new AmiFleetException(
                    ErrorKind.PERMANENT,
                    "NoSuchRun",
                    "run ledger " + directory + ": no run " + runId));
  }

  private Optional<Document> load(String runId) {
    Path file = runDirectory(runId).resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(mapper.readValue(file.toFile(), Document.class));
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private void save(Document doc) {
    write(runDirectory(doc.run().runId()).resolve(FILE), doc);
  }

  /** Writes beside, then moves over: a reader never sees half a file. */
  private void write(Path file, Object value) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      mapper.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "LedgerNotWritten",
          "cannot write run ledger " + file + ": " + e.getMessage(),
          e);
    }
  }

  private static AmiFleetException unreadable(Path file, IOException e) {
    return new AmiFleetException(
        ErrorKind.PERMANENT,
        "LedgerUnreadable",
        "cannot read run ledger " + file + ": " + e.getMessage(),
        e);
  }
}
