package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueryFormTest {
  @Test
  void readsEc2ListsFiltersAndTagSpecifications() {
    QueryForm f =
        QueryForm.parse(
            "Action=CreateImage&Version=2016-11-15&ImageId.2=ami-b&ImageId.1=ami-a"
                + "&Filter.1.Name=state&Filter.1.Value.1=pending&Filter.1.Value.2=available"
                + "&Filter.2.Name=tag%3Aamifleet%3Ajob-id&Filter.2.Value.1=j1"
                + "&TagSpecification.1.ResourceType=image&TagSpecification.1.Tag.1.Key=a"
                + "&TagSpecification.1.Tag.1.Value=1&TagSpecification.2.ResourceType=snapshot"
                + "&TagSpecification.2.Tag.1.Key=b&TagSpecification.2.Tag.1.Value=2");

    assertThat(f.action()).isEqualTo("CreateImage");
    assertThat(f.list("ImageId")).containsExactly("ami-a", "ami-b");
    assertThat(f.filters())
        .containsEntry("state", List.of("pending", "available"))
        .containsEntry("tag:amifleet:job-id", List.of("j1"));
    assertThat(f.tagSpecifications()).containsEntry(1, "image").containsEntry(2, "snapshot");
    assertThat(f.tags("TagSpecification.2.")).isEqualTo(Map.of("b", "2"));
  }

  @Test
  void countsEveryIdEvenPastNettysDefaultOfAThousandParameters() {
    String ids =
        IntStream.rangeClosed(1, 1535)
            .mapToObj(i -> "ImageId." + i + "=ami-" + i)
            .collect(Collectors.joining("&"));

    QueryForm f = QueryForm.parse("Action=DescribeImages&" + ids);

    assertThat(f.largestIdList()).isEqualTo(Map.entry("ImageId", 1535));
  }

  @Test
  void withoutAFilterKeepsTheOthersAndEncodesBack() {
    QueryForm f =
        QueryForm.parse(
            "Action=DescribeImages&Filter.1.Name=state&Filter.1.Value.1=pending"
                + "&Filter.2.Name=name&Filter.2.Value.1=web%20(1)");

    QueryForm rest = QueryForm.parse(f.withoutFilter("state").encode());

    assertThat(rest.filters()).isEqualTo(Map.of("name", List.of("web (1)")));
    assertThat(rest.action()).isEqualTo("DescribeImages");
  }
}
