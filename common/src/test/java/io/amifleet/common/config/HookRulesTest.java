package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.Hooks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code hooks} and {@code excludeDevices} in targets.yaml. */
class HookRulesTest {
  private final TargetsLoader loader = new TargetsLoader(Environment.of(Map.of()));

  private AccountTarget account(String yaml) {
    return loader.parse("targets.yaml", yaml).accounts().get(0);
  }

  private List<String> problems(String yaml) {
    Throwable thrown = catchThrowable(() -> loader.parse("targets.yaml", yaml));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return ((ConfigException) thrown).problems();
  }

  @Test
  void scriptHooksBecomeCommandsWithTheTimeoutAsExecutionTimeout() {
    AccountTarget a =
        account(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
              hooks:
                pre:  {document: AWS-RunShellScript, commands: ["fsfreeze -f /data"], timeout: 60s}
                post: {document: AWS-RunShellScript, commands: ["fsfreeze -u /data"], timeout: 60s}
                onPreFailure: image-anyway
            accounts:
              - id: "111111111111"
            """);

    Hooks hooks = a.hooks().orElseThrow();
    assertThat(hooks.pre())
        .isEqualTo(
            new HookCommand(
                "AWS-RunShellScript",
                Map.of("commands", List.of("fsfreeze -f /data"), "executionTimeout", List.of("60")),
                60));
    assertThat(hooks.post().parameters().get("commands")).containsExactly("fsfreeze -u /data");
    assertThat(hooks.onPreFailure()).isEqualTo(Hooks.OnPreFailure.IMAGE_ANYWAY);
  }

  @Test
  void aNamedDocumentTakesItsParametersAndSkipImageIsTheDefault() {
    AccountTarget a =
        account(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true}
                hooks:
                  pre: {document: Acme-FlushDatabase, parameters: {database: orders}}
            """);

    Hooks hooks = a.hooks().orElseThrow();
    assertThat(hooks.pre().document()).isEqualTo("Acme-FlushDatabase");
    assertThat(hooks.pre().parameters()).isEqualTo(Map.of("database", List.of("orders")));
    assertThat(hooks.pre().timeoutSeconds()).isEqualTo(120);
    assertThat(hooks.post()).isNull();
    assertThat(hooks.onPreFailure()).isEqualTo(Hooks.OnPreFailure.SKIP_IMAGE);
  }

  @Test
  void anAccountsHooksReplaceTheDefaultOnesWhole() {
    AccountTarget a =
        account(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
              hooks:
                pre:  {document: AWS-RunShellScript, commands: ["fsfreeze -f /data"]}
                post: {document: AWS-RunShellScript, commands: ["fsfreeze -u /data"]}
            accounts:
              - id: "111111111111"
                hooks:
                  pre: {document: AWS-RunPowerShellScript, commands: ["Write-VolumeCache C"]}
            """);

    assertThat(a.hooks().orElseThrow().pre().document()).isEqualTo("AWS-RunPowerShellScript");
    assertThat(a.hooks().orElseThrow().post()).isNull();
  }

  @Test
  void hookProblemsNameTheirField() {
    assertThat(
            problems(
                """
                defaults:
                  regions: [us-east-1]
                  select: {all: true}
                accounts:
                  - id: "111111111111"
                    hooks:
                      pre: {document: AWS-RunShellScript, timeout: 3h}
                      post: {document: Acme-Thaw, commands: [x]}
                      onPreFailure: carry-on
                """))
        .containsExactlyInAnyOrder(
            "targets.yaml: accounts[0] (111111111111).hooks.pre.timeout: must be 1s to 120m",
            "targets.yaml: accounts[0] (111111111111).hooks.pre.commands: required for AWS-RunShellScript: the"
                + " script's lines",
            "targets.yaml: accounts[0] (111111111111).hooks.post.commands: only for AWS-RunShellScript and"
                + " AWS-RunPowerShellScript; give the parameters of Acme-Thaw instead",
            "targets.yaml: accounts[0] (111111111111).hooks.onPreFailure: onPreFailure 'carry-on' is not"
                + " skip-image or image-anyway");
  }

  @Test
  void hooksNeedAPre() {
    assertThat(
            problems(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {all: true}
                    hooks: {post: {document: AWS-RunShellScript, commands: [x]}}
                """))
        .containsExactly(
            "targets.yaml: accounts[0] (111111111111).hooks.pre: required: the command that runs before"
                + " CreateImage");
  }

  @Test
  void excludeDevicesAreReadAndTheRootDeviceIsRefused() {
    AccountTarget a =
        account(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true}
                excludeDevices: [/dev/sdf, xvdg]
            """);
    assertThat(a.excludeDevices()).containsExactly("/dev/sdf", "xvdg");

    assertThat(
            problems(
                """
                defaults: {excludeDevices: [/dev/xvda, "sd f"]}
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {all: true}
                """))
        .containsExactly(
            "targets.yaml: defaults.excludeDevices: '/dev/xvda' is a root device name, and EC2"
                + " cannot leave the root volume out of an image");
  }
}
