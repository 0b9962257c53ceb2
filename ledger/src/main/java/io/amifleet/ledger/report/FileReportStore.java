package io.amifleet.ledger.report;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reports as files: {@code DIR/RUN/report.html} and {@code report.json}. Thread-safe. */
public final class FileReportStore implements ReportStore {
  private final Path directory;

  public FileReportStore(Path directory) {
    this.directory = requireNonNull(directory, "directory is null");
  }

  @Override
  public String write(String runId, String html, String json) {
    Path dir = directory.resolve(runId);
    Path page = dir.resolve("report.html");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("report.json"), json);
      Files.writeString(page, html);
    } catch (IOException e) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "ReportNotWritten",
          "cannot write report " + page + ": " + e.getMessage(),
          e);
    }
    return page.toAbsolutePath().toString();
  }
}
