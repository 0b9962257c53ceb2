package io.amifleet.ledger.report;

import static io.amifleet.ledger.Results.T0;
import static io.amifleet.ledger.Results.failed;
import static io.amifleet.ledger.Results.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.json.Json;
import io.amifleet.common.ledger.RunRecorder.DispatchedJob;
import io.amifleet.common.message.CopyResult;
import io.amifleet.ledger.Results;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class ReportRendererTest {
  private final ReportRenderer renderer = new ReportRenderer(Json.newMapper());

  private final DispatchedJob ok1 = job("j-1", "111111111111", "us-east-1", "i-01");
  private final DispatchedJob ok2 = job("j-2", "111111111111", "eu-west-1", "i-02");
  private final DispatchedJob bad = job("j-3", "222222222222", "us-east-1", "i-03");
  private final DispatchedJob gone = job("j-4", "222222222222", "eu-west-1", "i-04");

  private RunView view() {
    RunRecord run =
        new RunRecord(
            "nightly-1", "targets <prod>.yaml", T0, T0.plusSeconds(43_200), T0, Map.of(), null);
    return new RunView(
        run,
        List.of(
            JobEntry.of(
                Results.of(ok1)
                    .imageId("ami-01")
                    .adopted(false)
                    .consistency("application")
                    .succeeded(T0.plusSeconds(300)),
                true),
            JobEntry.of(
                Results.of(ok2)
                    .imageId("ami-02")
                    .adopted(true)
                    .copies(
                        List.of(
                            new CopyResult(
                                "111111111111", "us-west-2", "ami-c1", "available", false),
                            new CopyResult("999999999999", "eu-central-1", null, "failed", false)))
                    .succeeded(T0.plusSeconds(60)),
                true),
            JobEntry.of(failed(bad, 20, "InvalidInstanceID.NotFound"), true),
            new JobEntry(
                gone.jobId(),
                gone.accountId(),
                gone.region(),
                gone.instanceId(),
                "image",
                true,
                null)));
  }

  @Test
  void pageListsEveryJobAndColoursTheGridByStatus() {
    ObjectNode data = renderer.data(view(), Optional.empty());
    Document page = Jsoup.parse(renderer.html(data));

    assertThat(page.select("#jobs tbody tr").eachAttr("data-job-id"))
        .containsExactlyInAnyOrder("j-1", "j-2", "j-3", "j-4");
    Element grid = page.getElementById("grid");
    assertThat(grid.select("tbody tr")).hasSize(2);
    assertThat(grid.select("tbody tr").get(0).select("td").eachAttr("data-status"))
        .containsExactly("SUCCEEDED", "SUCCEEDED"); // 1111 in eu-west-1, us-east-1
    assertThat(grid.select("tbody tr").get(1).select("td").eachAttr("data-status"))
        .containsExactly("MISSING", "FAILED");
  }

  @Test
  void eachJobShowsItsCopiesWithTheirState() {
    ObjectNode data = renderer.data(view(), Optional.empty());
    Document page = Jsoup.parse(renderer.html(data));

    assertThat(page.selectFirst("#jobs tr[data-job-id=j-2] td.copies").text())
        .isEqualTo(
            "111111111111/us-west-2 ami-c1 (available) 999999999999/eu-central-1 - (failed)");
    assertThat(page.selectFirst("#jobs tr[data-job-id=j-1] td.copies").text()).isEmpty();
  }

  @Test
  void eachJobSaysHowConsistentItsImageIs() {
    ObjectNode data = renderer.data(view(), Optional.empty());
    Document page = Jsoup.parse(renderer.html(data));

    assertThat(page.selectFirst("#jobs tr[data-job-id=j-1] td.consistency").text())
        .isEqualTo("application");
    assertThat(data.get("jobs").findValuesAsText("consistency")).contains("application");
  }

  @Test
  void failuresComeFirstWithTheirReplayCommand() {
    Document page = Jsoup.parse(renderer.html(renderer.data(view(), Optional.empty())));

    Element firstTable = page.selectFirst("table");
    assertThat(firstTable.id()).isEqualTo("failures");
    assertThat(firstTable.text())
        .contains("InvalidInstanceID.NotFound")
        .contains("amifleet dlq replay --error-code InvalidInstanceID.NotFound");
    assertThat(page.select("#missing li").eachAttr("data-job-id")).containsExactly("j-4");
    assertThat(page.select("[data-count=succeeded]").text()).isEqualTo("2");
    assertThat(page.getElementById("images").text()).startsWith("1 created, 1 adopted");
  }

  @Test
  void pageIsSelfContainedAndEscapesWhatItShows() {
    String html = renderer.html(renderer.data(view(), Optional.empty()));
    Document page = Jsoup.parse(html);

    assertThat(page.select("script, link, img, iframe")).isEmpty();
    assertThat(html).doesNotContain("http://").doesNotContain("https://");
    assertThat(page.selectFirst(".meta").text()).contains("targets <prod>.yaml");
    assertThat(page.select("#times .bar-row")).hasSize(1); // the account with successes
  }
}
