package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsLoaderTest {
  private static final String SOURCE = "targets.yaml";

  /** The example of DESIGN.md, verbatim. */
  private static final String DESIGN_EXAMPLE =
      """
      defaults:                           # apply to every account unless it overrides them
        roleName: AmiFleetCreator         # role assumed in each account: arn:<partition>:iam::<id>:role/<roleName>
        externalId: ${AMIFLEET_EXTERNAL_ID}   # ${VAR} expands from the environment; an unset VAR is an error
        regions: [us-east-1]
        reboot: false                     # false => CreateImage NoReboot=true
        imageName: "{instanceName}-{date}-{shortJobId}"   # placeholders documented in README
        tags: {Purpose: nightly-image}    # added to every image and its snapshots
        copyInstanceTags: true
      accounts:
        - id: "111111111111"
          name: web                       # optional label used in reports
          regions: [us-east-1, eu-west-1]
          select:
            instanceIds: [i-0123456789abcdef0]      # looked up in the account's regions
            tags: {Environment: production}         # AND over keys; a list value means any of them
            states: [running, stopped]              # default
        - id: "222222222222"
          roleArn: arn:aws:iam::222222222222:role/CrossAccount   # full override of roleName
          select: {all: true}                        # every instance in the listed regions
      """;

  private final TargetsLoader loader =
      new TargetsLoader(Environment.of(Map.of("AMIFLEET_EXTERNAL_ID", "ext-secret-1")));

  private Targets parse(String yaml) {
    return loader.parse(SOURCE, yaml);
  }

  private List<String> problems(String yaml) {
    Throwable thrown = catchThrowable(() -> parse(yaml));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    ConfigException e = (ConfigException) thrown;
    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    return e.problems();
  }

  private String singleProblem(String yaml) {
    List<String> problems = problems(yaml);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  // --- the example and the defaults ---

  @Test
  void designExampleLoadsWithDefaultsApplied() {
    Targets targets = parse(DESIGN_EXAMPLE);

    assertThat(targets.source()).isEqualTo(SOURCE);
    assertThat(targets.accounts()).hasSize(2);
    assertThat(targets.accountRegionCount()).isEqualTo(3);

    AccountTarget web = targets.accounts().get(0);
    assertThat(web.id()).isEqualTo("111111111111");
    assertThat(web.name()).contains("web");
    assertThat(web.label()).isEqualTo("web");
    assertThat(web.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/AmiFleetCreator");
    assertThat(web.externalId()).contains("ext-secret-1");
    assertThat(web.regions()).containsExactly("us-east-1", "eu-west-1");
    assertThat(web.reboot()).isFalse();
    assertThat(web.imageName().template()).isEqualTo("{instanceName}-{date}-{shortJobId}");
    assertThat(web.tags()).containsExactlyEntriesOf(Map.of("Purpose", "nightly-image"));
    assertThat(web.copyInstanceTags()).isTrue();
    assertThat(web.select().all()).isFalse();
    assertThat(web.select().instanceIds()).containsExactly("i-0123456789abcdef0");
    assertThat(web.select().tags()).isEqualTo(Map.of("Environment", List.of("production")));
    assertThat(web.select().states()).containsExactly("running", "stopped");

    AccountTarget cross = targets.accounts().get(1);
    assertThat(cross.id()).isEqualTo("222222222222");
    assertThat(cross.name()).isEmpty();
    assertThat(cross.label()).isEqualTo("222222222222");
    assertThat(cross.roleArn()).isEqualTo("arn:aws:iam::222222222222:role/CrossAccount");
    assertThat(cross.externalId()).contains("ext-secret-1");
    assertThat(cross.regions()).containsExactly("us-east-1");
    assertThat(cross.copyInstanceTags()).isTrue();
    assertThat(cross.tags()).containsExactlyEntriesOf(Map.of("Purpose", "nightly-image"));
    assertThat(cross.select()).isEqualTo(Selector.everything());
  }

  @Test
  void accountSettingsOverrideDefaults() {
    AccountTarget a =
        parse(
                """
                defaults:
                  roleName: DefaultRole
                  externalId: default-ext
                  regions: [us-east-1]
                  reboot: false
                  imageName: "{instanceName}-{date}-{shortJobId}"
                  copyInstanceTags: true
                  select: {all: true}
                accounts:
                  - id: "111111111111"
                    roleName: AccountRole
                    externalId: account-ext
                    regions: [eu-west-1, eu-central-1]
                    reboot: true
                    imageName: "{accountName}-{instanceId}-{jobId}"
                    copyInstanceTags: false
                    select: {instanceIds: [i-0123456789abcdef0]}
                """)
            .accounts()
            .get(0);

    assertThat(a.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/AccountRole");
    assertThat(a.externalId()).contains("account-ext");
    assertThat(a.regions()).containsExactly("eu-west-1", "eu-central-1");
    assertThat(a.reboot()).isTrue();
    assertThat(a.imageName().template()).isEqualTo("{accountName}-{instanceId}-{jobId}");
    assertThat(a.copyInstanceTags()).isFalse();
    assertThat(a.select()).isEqualTo(Selector.byIds(List.of("i-0123456789abcdef0")));
  }

  @Test
  void defaultsApplyToAnAccountThatSetsNothing() {
    AccountTarget a =
        parse(
                """
                defaults:
                  roleName: DefaultRole
                  externalId: default-ext
                  regions: [ap-southeast-2]
                  reboot: true
                  imageName: "{instanceId}-{jobId}"
                  copyInstanceTags: true
                  select: {tags: {Backup: [daily, weekly]}}
                accounts:
                  - id: "111111111111"
                """)
            .accounts()
            .get(0);

    assertThat(a.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/DefaultRole");
    assertThat(a.externalId()).contains("default-ext");
    assertThat(a.regions()).containsExactly("ap-southeast-2");
    assertThat(a.reboot()).isTrue();
    assertThat(a.imageName().template()).isEqualTo("{instanceId}-{jobId}");
    assertThat(a.copyInstanceTags()).isTrue();
    assertThat(a.select()).isEqualTo(Selector.byTags(Map.of("Backup", List.of("daily", "weekly"))));
  }

  @Test
  void withoutDefaultsTheBuiltInValuesApply() {
    AccountTarget a =
        parse(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {all: true}
                """)
            .accounts()
            .get(0);

    assertThat(a.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/AmiFleetCreator");
    assertThat(a.externalId()).isEmpty();
    assertThat(a.reboot()).isFalse();
    assertThat(a.copyInstanceTags()).isFalse();
    assertThat(a.tags()).isEmpty();
    assertThat(a.imageName().template()).isEqualTo(ImageNameTemplate.DEFAULT);
  }

  @Test
  void roleDefaultsToAmiFleetCreatorWhenNoRoleIsGiven() {
    Targets targets =
        parse(
            """
            defaults:
              regions: [us-east-1]
              externalId: ext-1
              select: {all: true}
            accounts:
              - id: "111111111111"
              - id: "222222222222"
            """);

    assertThat(targets.accounts())
        .extracting(AccountTarget::roleArn)
        .containsExactly(
            "arn:aws:iam::111111111111:role/AmiFleetCreator",
            "arn:aws:iam::222222222222:role/AmiFleetCreator");
  }

  @Test
  void accountTagsAreMergedOverDefaultTags() {
    AccountTarget a =
        parse(
                """
                defaults:
                  regions: [us-east-1]
                  tags: {Purpose: nightly-image, Team: ops}
                accounts:
                  - id: "111111111111"
                    tags: {Team: web, Environment: production}
                    select: {all: true}
                """)
            .accounts()
            .get(0);

    assertThat(a.tags())
        .isEqualTo(Map.of("Purpose", "nightly-image", "Team", "web", "Environment", "production"));
  }

  @Test
  void roleArnUsesThePartitionOfTheAccountsRegions() {
    Targets targets =
        parse(
            """
            accounts:
              - id: "111111111111"
                regions: [cn-north-1, cn-northwest-1]
                select: {all: true}
              - id: "222222222222"
                regions: [us-gov-west-1]
                select: {all: true}
              - id: "333333333333"
                regions: [eu-west-1]
                select: {all: true}
            """);

    assertThat(targets.accounts())
        .extracting(AccountTarget::roleArn)
        .containsExactly(
            "arn:aws-cn:iam::111111111111:role/AmiFleetCreator",
            "arn:aws-us-gov:iam::222222222222:role/AmiFleetCreator",
            "arn:aws:iam::333333333333:role/AmiFleetCreator");
  }

  // --- ${VAR} expansion ---

  @Test
  void variablesExpandFromTheEnvironmentInAnyStringField() {
    TargetsLoader withEnv =
        new TargetsLoader(
            Environment.of(
                Map.of(
                    "ACCOUNT", "111111111111",
                    "EXT", "from-env",
                    "TEAM", "web",
                    "ENV", "production")));

    AccountTarget a =
        withEnv
            .parse(
                SOURCE,
                """
                accounts:
                  - id: "${ACCOUNT}"
                    name: team-${TEAM}
                    externalId: prefix-${EXT}-suffix
                    regions: [us-east-1]
                    tags: {Team: "${TEAM}"}
                    select: {tags: {Environment: "${ENV}"}}
                """)
            .accounts()
            .get(0);

    assertThat(a.id()).isEqualTo("111111111111");
    assertThat(a.name()).contains("team-web");
    assertThat(a.externalId()).contains("prefix-from-env-suffix");
    assertThat(a.tags()).isEqualTo(Map.of("Team", "web"));
    assertThat(a.select().tags()).isEqualTo(Map.of("Environment", List.of("production")));
  }

  @Test
  void unsetVariableIsReportedNamingTheField() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                externalId: ${NOT_SET_ANYWHERE}
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).externalId:"
                + " environment variable NOT_SET_ANYWHERE is not set");
  }

  @Test
  void unsetVariableInDefaultsIsReportedNamingTheDefaultsField() {
    List<String> problems =
        problems(
            """
            defaults:
              externalId: ${NOT_SET_ANYWHERE}
              regions: [us-east-1]
            accounts:
              - id: "111111111111"
                select: {all: true}
            """);

    assertThat(problems)
        .containsExactly(
            "targets.yaml: defaults.externalId: environment variable NOT_SET_ANYWHERE is not set");
  }

  @Test
  void unsetVariableIsNeverSilentlyEmpty() {
    TargetsLoader withEmptyValue = new TargetsLoader(Environment.of(Map.of("EMPTY", "")));

    AccountTarget a =
        withEmptyValue
            .parse(
                SOURCE,
                """
                accounts:
                  - id: "111111111111"
                    name: a${EMPTY}b
                    regions: [us-east-1]
                    select: {all: true}
                """)
            .accounts()
            .get(0);
    assertThat(a.name()).as("a variable set to the empty string is set").contains("ab");

    assertThat(
            problems(
                """
                accounts:
                  - id: "111111111111"
                    name: a${UNSET}b
                    regions: [us-east-1]
                    select: {all: true}
                """))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("accounts[0] (111111111111).name", "UNSET is not set");
  }

  // --- account IDs ---

  @Test
  void unquotedAccountIdIsRejectedWithQuotingHint() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: 111111111111
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0].id: ")
        .contains("in quotes", "\"012345678901\"", "leading zeros");
  }

  @Test
  void accountIdThatIsNotTwelveDigitsIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "12345678901"
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo("targets.yaml: accounts[0].id: '12345678901' is not a 12-digit account ID");
  }

  @Test
  void accountWithoutIdIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - name: web
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem).startsWith("targets.yaml: accounts[0]: ").contains("id is required");
  }

  @Test
  void accountListedTwiceIsRejected() {
    String problem =
        singleProblem(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
            accounts:
              - id: "111111111111"
              - id: "222222222222"
              - id: "111111111111"
            """);

    assertThat(problem).isEqualTo("targets.yaml: accounts[2] (111111111111): account listed twice");
  }

  @Test
  void missingOrEmptyAccountsListIsRejected() {
    assertThat(problems("defaults: {regions: [us-east-1]}\n"))
        .containsExactly(
            "targets.yaml: accounts: required: a list of accounts, each with an id, or"
                + " {fromOrganization: {ous: [...]}}");
    assertThat(problems("accounts: []\n"))
        .containsExactly(
            "targets.yaml: accounts: required: a list of accounts, each with an id, or"
                + " {fromOrganization: {ous: [...]}}");
  }

  // --- roles ---

  @Test
  void roleArnInAnotherAccountIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                roleArn: arn:aws:iam::999999999999:role/CrossAccount
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).roleArn:"
                + " role is in account 999999999999, not 111111111111");
  }

  @Test
  void roleArnOfAnotherPartitionThanTheRegionsIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                roleArn: arn:aws:iam::111111111111:role/AmiFleetCreator
                regions: [cn-north-1]
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).roleArn:"
                + " 'arn:aws:iam::111111111111:role/AmiFleetCreator' is not in partition aws-cn"
                + " of regions [cn-north-1]");
  }

  @Test
  void regionsOfDifferentPartitionsInOneAccountAreRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1, us-gov-west-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).regions: regions of different")
        .contains("[aws, aws-us-gov]");
  }

  @Test
  void roleArnThatIsNotARoleArnIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                roleArn: arn:aws:iam::111111111111:user/alice
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).roleArn: ")
        .contains("is not an IAM role ARN");
  }

  @Test
  void roleArnAndRoleNameTogetherAreRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                roleArn: arn:aws:iam::111111111111:role/CrossAccount
                roleName: AmiFleetCreator
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111)")
        .contains("roleArn", "roleName", "not both");
  }

  @Test
  void roleNameInDefaultsDoesNotConflictWithAnAccountRoleArn() {
    AccountTarget a =
        parse(
                """
                defaults:
                  roleName: AmiFleetCreator
                  regions: [us-east-1]
                accounts:
                  - id: "111111111111"
                    roleArn: arn:aws:iam::111111111111:role/CrossAccount
                    select: {all: true}
                """)
            .accounts()
            .get(0);

    assertThat(a.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/CrossAccount");
  }

  @Test
  void invalidRoleNameIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                roleName: "bad role name!"
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).roleName: ")
        .contains("not a valid IAM role name");
  }

  // --- select ---

  @Test
  void missingSelectIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).select: required")
        .contains("all: true", "instanceIds", "tags");
  }

  @Test
  void selectAllCombinedWithTagsIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true, tags: {Environment: production}}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).select:"
                + " all cannot be combined with instanceIds or tags");
  }

  @Test
  void selectWithNothingToSelectIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: false}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).select: ")
        .contains("all: true, instanceIds or tags");
  }

  @Test
  void invalidInstanceIdIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {instanceIds: [i-0123456789abcdef0, i-xyz]}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).select.instanceIds:"
                + " 'i-xyz' is not an instance ID like i-0123456789abcdef0");
  }

  @Test
  void eightDigitInstanceIdIsAccepted() {
    AccountTarget a =
        parse(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {instanceIds: [i-0123abcd]}
                """)
            .accounts()
            .get(0);

    assertThat(a.select().instanceIds()).containsExactly("i-0123abcd");
  }

  @Test
  void statesOtherThanRunningOrStoppedAreRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true, states: [running, terminated]}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).select.states: ")
        .contains("'terminated' cannot be imaged");
  }

  @Test
  void selectStatesCanBeNarrowed() {
    AccountTarget a =
        parse(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {all: true, states: [stopped]}
                """)
            .accounts()
            .get(0);

    assertThat(a.select().states()).containsExactly("stopped");
  }

  // --- regions ---

  @Test
  void invalidRegionIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1, useast1]
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).regions:"
                + " 'useast1' is not an AWS region (did you mean 'us-east-1'?)");
  }

  @Test
  void aMisspeltRegionIsAConfigErrorWithTheRegionMeant() {
    List<String> problems =
        problems(
            """
            defaults: {regions: [eu-wset-1], select: {all: true}}
            accounts:
              - id: "111111111111"
              - id: "222222222222"
                regions: [us-east-1, mars-north-1]
            """);

    assertThat(problems)
        .containsExactly(
            "targets.yaml: accounts[0] (111111111111).regions: 'eu-wset-1' is not an AWS region"
                + " (did you mean 'eu-west-1'?)",
            "targets.yaml: accounts[1] (222222222222).regions: 'mars-north-1' is not an AWS"
                + " region (names look like us-east-1; a region AWS opened after this amifleet"
                + " was built needs a newer amifleet)");
  }

  @Test
  void optInRegionsOfEveryPartitionAreAccepted() {
    Targets t =
        parse(
            """
            accounts:
              - id: "111111111111"
                regions: [af-south-1, me-central-1, ap-southeast-3, il-central-1]
                select: {all: true}
              - id: "222222222222"
                regions: [cn-northwest-1]
                select: {all: true}
            """);

    assertThat(t.accounts().get(0).regions()).hasSize(4);
  }

  @Test
  void theSdksGlobalPseudoRegionsAreNotTargetRegions() {
    assertThat(
            singleProblem(
                """
                accounts:
                  - id: "111111111111"
                    regions: [aws-global]
                    select: {all: true}
                """))
        .contains("'aws-global' is not an AWS region");
  }

  @Test
  void regionListedTwiceIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1, us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).regions: ")
        .contains("listed twice");
  }

  @Test
  void missingRegionsEverywhereIsRejected() {
    String problem =
        singleProblem(
            """
            defaults:
              reboot: false
            accounts:
              - id: "111111111111"
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo(
            "targets.yaml: accounts[0] (111111111111).regions:"
                + " required: set regions on the account or in defaults");
  }

  // --- unknown fields ---

  @Test
  void misspeltAccountFieldIsRejectedWithSuggestion() {
    String problem =
        singleProblem(
            """
            defaults:
              regions: [us-east-1]
            accounts:
              - id: "111111111111"
                regoins: [eu-west-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith(
            "targets.yaml: accounts[0] (111111111111).regoins: unknown field"
                + " (did you mean 'regions'?); allowed: [");
  }

  @Test
  void misspeltFieldsInDefaultsSelectAndTopLevelAreRejectedWithSuggestions() {
    List<String> problems =
        problems(
            """
            defaults:
              regions: [us-east-1]
              rebot: true
            accounts:
              - id: "111111111111"
                select: {all: true, state: [running]}
            acounts: []
            """);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "targets.yaml: defaults.rebot: unknown field (did you mean 'reboot'?)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        "targets.yaml: accounts[0] (111111111111).select.state: unknown field"
                            + " (did you mean 'states'?)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("targets.yaml: acounts: unknown field (did you mean 'accounts'?)"));
  }

  @Test
  void unknownFieldFarFromAnyKnownOneGetsNoSuggestion() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true}
                colour: blue
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).colour: unknown field; allowed: [")
        .doesNotContain("did you mean");
  }

  // --- types, tags, image names ---

  @Test
  void nonBooleanRebootIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                reboot: "sometimes"
                select: {all: true}
            """);

    assertThat(problem)
        .isEqualTo("targets.yaml: accounts[0] (111111111111).reboot: must be true or false");
  }

  @Test
  void imageNameWithUnknownPlaceholderIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                imageName: "{hostname}-{date}"
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).imageName: ")
        .contains("{hostname}");
  }

  @Test
  void reservedTagPrefixIsRejected() {
    String problem =
        singleProblem(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                tags: {"amifleet:job-id": mine}
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: accounts[0] (111111111111).tags: ")
        .contains("amifleet:job-id", "reserved prefix");
  }

  // --- shapes (issue 12: the file is bound by Jackson; these keep the errors as they were) ---

  @Test
  void valuesOfTheWrongShapeAreEachReportedWhereTheyAreWritten() {
    List<String> problems =
        problems(
            """
            defaults:
              regions: us-east-1
              copyInstanceTags: "yes"
            accounts:
              - id: "111111111111"
                regions: [us-east-1, {a: b}]
                reboot: [true]
                tags: {Team: [web]}
                select: [all]
                retention: 7
            """);

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "targets.yaml: defaults.regions: must be a list, e.g. [a, b]",
            "targets.yaml: defaults.copyInstanceTags: must be true or false",
            "targets.yaml: accounts[0] (111111111111).regions: entries must be strings",
            "targets.yaml: accounts[0] (111111111111).reboot: must be true or false",
            "targets.yaml: accounts[0] (111111111111).tags.Team: must be a string",
            "targets.yaml: accounts[0] (111111111111).select: must be a mapping ({all: true},"
                + " instanceIds, tags, states)",
            "targets.yaml: accounts[0] (111111111111).retention: must be a mapping: {keepLast: 7,"
                + " maxAge: 30d}");
  }

  @Test
  void aTagSelectorsValueIsOneStringOrANonEmptyListOfStrings() {
    AccountTarget a =
        parse(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {tags: {Env: production, Tier: [web, db], Port: 443}}
                """)
            .accounts()
            .get(0);
    assertThat(a.select().tags())
        .isEqualTo(
            Map.of(
                "Env",
                List.of("production"),
                "Tier",
                List.of("web", "db"),
                "Port",
                List.of("443")));

    assertThat(
            problems(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {tags: {Env: [], Tier: [[web]]}}
                """))
        .containsExactlyInAnyOrder(
            "targets.yaml: accounts[0] (111111111111).select.tags.Env: must be a string or a"
                + " non-empty list of strings",
            "targets.yaml: accounts[0] (111111111111).select.tags.Tier: list entries must be"
                + " strings");
  }

  @Test
  void retentionOfAnAccountOverridesTheDefaultsFieldByField() {
    AccountTarget a =
        parse(
                """
                defaults:
                  regions: [us-east-1]
                  select: {all: true}
                  retention: {keepLast: 7, maxAge: 30d}
                accounts:
                  - id: "111111111111"
                    retention: {keepLast: 3}
                """)
            .accounts()
            .get(0);

    assertThat(a.retention())
        .contains(new Retention(Optional.of(3), Optional.of(java.time.Duration.ofDays(30))));
  }

  @Test
  void retentionProblemsNameTheFieldOfThePolicy() {
    assertThat(
            problems(
                """
                defaults:
                  regions: [us-east-1]
                  select: {all: true}
                  retention: {keepLast: -1, maxAge: soon}
                accounts:
                  - id: "111111111111"
                """))
        .containsExactly(
            "targets.yaml: defaults.retention.keepLast: must be a whole number, 0 or more",
            "targets.yaml: defaults.retention.maxAge: 'soon' is not a duration (examples: 500ms,"
                + " 30s, 5m, 4h, 30d, 1h30m)",
            "targets.yaml: defaults.retention: retention needs keepLast, maxAge or both (or"
                + " deprecateAfter)");
  }

  @Test
  void usageAndDeprecationSettingsOfRetentionAreCheckedWhereTheyAreWritten() {
    assertThat(
            problems(
                """
                defaults:
                  regions: [us-east-1]
                  select: {all: true}
                  retention:
                    keepLast: 2
                    deprecateAfter: 0d
                    deleteAfterDeprecation: later
                    launchTemplateVersions: some
                    parameterPaths: [amis/web, /ok/]
                accounts:
                  - id: "111111111111"
                """))
        .containsExactly(
            "targets.yaml: defaults.retention.deprecateAfter: must be positive",
            "targets.yaml: defaults.retention.deleteAfterDeprecation: 'later' is not a duration"
                + " (examples: 500ms, 30s, 5m, 4h, 30d, 1h30m)",
            "targets.yaml: defaults.retention.launchTemplateVersions: must be 'all' or"
                + " 'defaultAndLatest', not 'some'",
            "targets.yaml: defaults.retention.parameterPaths[0]: 'amis/web' is not a parameter"
                + " path: it starts with '/' (e.g. /amis/)");
  }

  @Test
  void anAccountsRetentionSettingsOverrideTheDefaultsFieldByField() {
    Targets t =
        parse(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
              retention: {keepLast: 3, deprecateAfter: 14d, deleteAfterDeprecation: 7d}
            accounts:
              - id: "111111111111"
                retention: {keepLast: 5, allowShared: true, parameterPaths: [/amis/]}
            """);
    Retention r = t.accounts().get(0).retention().orElseThrow();
    assertThat(r.keepLast()).contains(5);
    assertThat(r.deprecateAfter()).contains(java.time.Duration.ofDays(14));
    assertThat(r.deleteAfterDeprecation()).contains(java.time.Duration.ofDays(7));
    assertThat(r.keepsShared()).isFalse();
    assertThat(r.ssmPaths()).containsExactly("/amis/");
    assertThat(r.templateVersions()).isEqualTo(Retention.LaunchTemplateVersions.ALL);
  }

  @Test
  void anOrganizationsAccountsGetTheDefaultsWhichAreCheckedForThem() {
    List<String> problems =
        problems(
            """
            defaults: {regions: [us-east-1]}
            accounts:
              fromOrganization: {ous: [bad-ou], exclude: ["1234"], roleArn: arn:aws:iam::1:user/x}
            """);

    assertThat(problems)
        .containsExactly(
            "targets.yaml: accounts.fromOrganization.ous: 'bad-ou' is not an OU ID"
                + " (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)",
            "targets.yaml: accounts.fromOrganization.exclude: '1234' is not a 12-digit account ID"
                + " (quote it)",
            "targets.yaml: accounts.fromOrganization.roleArn: 'arn:aws:iam::1:user/x' is not an IAM"
                + " role ARN",
            "targets.yaml: defaults (for every discovered account).select: required: say which"
                + " instances to image ({all: true}, instanceIds or tags)");
    Targets ok =
        parse(
            """
            defaults: {regions: [us-east-1], select: {all: true}}
            accounts: {fromOrganization: {ous: [ou-ab12-34cd56ef]}}
            """);
    assertThat(ok.accounts()).isEmpty();
    assertThat(ok.organization()).hasValueSatisfying(o -> assertThat(o.ous()).hasSize(1));
  }

  // --- reporting ---

  @Test
  void errorsInALaterAccountNameItsIndexAndId() {
    String problem =
        singleProblem(
            """
            defaults:
              regions: [us-east-1]
            accounts:
              - id: "111111111111"
                select: {all: true}
              - id: "222222222222"
                regions: [mars-north-1x]
                select: {all: true}
            """);

    assertThat(problem).startsWith("targets.yaml: accounts[1] (222222222222).regions: ");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<String> problems =
        problems(
            """
            defaults:
              regions: [us-east-1]
            accounts:
              - id: "111111111111"
                regions: [nowhere]
                select: {instanceIds: [i-bad]}
              - id: 222222222222
                select: {all: true}
              - id: "333333333333"
                select: {all: true, states: [pending]}
                regoins: [eu-west-1]
              - id: "444444444444"
            """);

    assertThat(problems)
        .hasSize(6)
        .allSatisfy(p -> assertThat(p).startsWith("targets.yaml: accounts["))
        .anySatisfy(
            p -> assertThat(p).startsWith("targets.yaml: accounts[0] (111111111111).regions"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("targets.yaml: accounts[0] (111111111111).select.instanceIds"))
        .anySatisfy(p -> assertThat(p).startsWith("targets.yaml: accounts[1].id"))
        .anySatisfy(
            p -> assertThat(p).startsWith("targets.yaml: accounts[2] (333333333333).select.states"))
        .anySatisfy(
            p -> assertThat(p).startsWith("targets.yaml: accounts[2] (333333333333).regoins"))
        .anySatisfy(
            p -> assertThat(p).startsWith("targets.yaml: accounts[3] (444444444444).select"));
  }

  @Test
  void problemInDefaultsIsReportedOnceNotOncePerAccount() {
    List<String> problems =
        problems(
            """
            defaults:
              externalId: ${NOT_SET_ANYWHERE}
              regions: [us-east-1]
              select: {all: true, states: [pending]}
            accounts:
              - id: "111111111111"
              - id: "222222222222"
              - id: "333333333333"
            """);

    assertThat(problems)
        .containsExactly(
            "targets.yaml: defaults.externalId: environment variable NOT_SET_ANYWHERE is not set",
            "targets.yaml: defaults.select.states: 'pending' cannot be imaged;"
                + " use running and/or stopped");
  }

  @Test
  void invalidYamlIsReportedWithLineAndColumn() {
    Throwable thrown =
        catchThrowable(
            () ->
                parse(
                    """
                    accounts:
                      - id: "111111111111"
                        regions: [us-east-1
                        select: {all: true}
                    """));

    assertThat(thrown)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("targets.yaml (line 4, column 11): not valid YAML: ");
  }

  @Test
  void fieldGivenTwiceIsRejectedInsteadOfSilentlyDroppingTheFirst() {
    Throwable thrown =
        catchThrowable(
            () ->
                parse(
                    """
                    accounts:
                      - id: "111111111111"
                        regions: [us-east-1]
                        regions: [eu-west-1]
                        select: {all: true}
                    """));

    assertThat(thrown)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("targets.yaml (line 4, ")
        .hasMessageContaining("regions");
  }

  @Test
  void yamlThatIsNotAMappingIsRejected() {
    assertThat(problems("- just\n- a list\n"))
        .containsExactly("targets.yaml: expected a mapping with 'defaults' and 'accounts'");
    assertThat(problems(""))
        .containsExactly("targets.yaml: expected a mapping with 'defaults' and 'accounts'");
  }

  @Test
  void configExceptionIsPermanentAndNotRetryable() {
    Throwable thrown = catchThrowable(() -> parse("accounts: []\n"));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).retryable()).isFalse();
    assertThat(((ConfigException) thrown).errorCode()).isEqualTo("InvalidConfig");
  }

  // --- files ---

  @Test
  void loadReadsTheFileAndNamesItInProblems(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("fleet.yaml");
    Files.writeString(file, DESIGN_EXAMPLE);
    assertThat(loader.load(file).source()).isEqualTo(file.toString());

    Files.writeString(file, "accounts: []\n");
    Throwable thrown = catchThrowable(() -> loader.load(file));
    assertThat(thrown).isInstanceOf(ConfigException.class).hasMessageStartingWith(file + ": ");
  }

  @Test
  void missingFileIsAConfigError(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    Throwable thrown = catchThrowable(() -> loader.load(file));

    assertThat(thrown).isInstanceOf(ConfigException.class).hasMessage(file + ": file not found");
  }

  @Test
  void loadedAccountsAreImmutable() {
    Targets targets = parse(DESIGN_EXAMPLE);

    assertThat(catchThrowable(() -> targets.accounts().clear()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(catchThrowable(() -> targets.accounts().get(0).tags().put("k", "v")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(targets.accounts().get(0).externalId()).isEqualTo(Optional.of("ext-secret-1"));
    assertThat(
            catchThrowable(
                () ->
                    targets.accounts().get(0).select().tags().values().iterator().next().add("x")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // --- issue 19: names unique per job, secrets in errors, big or odd files, aws: in any case ---

  @Test
  void imageNameTemplateWithoutAPerJobPartIsAConfigError() {
    String problem =
        singleProblem(
            """
            defaults:
              imageName: "{instanceName}-{date}"
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problem)
        .startsWith("targets.yaml: defaults.imageName: '{instanceName}-{date}' can give two jobs")
        .contains("{shortJobId}", "{jobId}", "{instanceId}", "{runId}");
  }

  @Test
  void imageNameTemplateWithInstanceAndRunIdsIsAccepted() {
    Targets targets =
        parse(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                imageName: "{instanceId}-{runId}"
                select: {all: true}
            """);

    assertThat(targets.accounts().get(0).imageName().template()).isEqualTo("{instanceId}-{runId}");
  }

  @Test
  void configErrorsNeverEchoAValueFromTheEnvironment() {
    TargetsLoader withSecret =
        new TargetsLoader(
            Environment.of(Map.of("AMIFLEET_EXTERNAL_ID", "SeCrEtExTeRnAlId-0123456789")));
    Throwable thrown =
        catchThrowable(
            () ->
                withSecret.parse(
                    SOURCE,
                    """
                    defaults:
                      externalId: ${AMIFLEET_EXTERNAL_ID}
                      regions: [us-east-1]
                      select: {all: true}
                    accounts:
                      - id: "111111111111"
                        roleName: "${AMIFLEET_EXTERNAL_ID}!"
                      - id: "222222222222"
                        regions: ["x-${AMIFLEET_EXTERNAL_ID}"]
                    """));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    List<String> problems = ((ConfigException) thrown).problems();
    assertThat(problems)
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("accounts[0] (111111111111).roleName: '****!'"))
        .anySatisfy(p -> assertThat(p).contains("accounts[1] (222222222222).regions: 'x-****'"))
        .noneSatisfy(p -> assertThat(p).contains("SeCrEt"));
  }

  @Test
  void configErrorsNeverEchoAnExternalIdWrittenInTheFile() {
    List<String> problems =
        problems(
            """
            accounts:
              - id: "111111111111"
                externalId: written-in-the-file-42
                roleName: "written-in-the-file-42?"
                regions: [us-east-1]
                select: {all: true}
            """);

    assertThat(problems).singleElement().asString().doesNotContain("written-in-the-file-42");
  }

  @Test
  void tagKeysAndValuesUnderAwsInAnyCaseAreRejected() {
    List<String> problems =
        problems(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1]
                tags: {"AWS:x": "1"}
                select: {all: true}
              - id: "222222222222"
                regions: [us-east-1]
                tags: {"Owner": "Aws:me"}
                select: {all: true}
              - id: "333333333333"
                regions: [us-east-1]
                tags: {"AmiFleet:job-id": "mine"}
                select: {all: true}
            """);

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).contains("accounts[0]", "AWS:x", "reserved prefix");
    assertThat(problems.get(1)).contains("accounts[1]", "Owner", "starts with aws:");
    assertThat(problems.get(2)).contains("accounts[2]", "AmiFleet:job-id", "reserved prefix");
  }

  @Test
  void fileLargerThanTheCapIsAConfigErrorThatSaysTheCap(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, DESIGN_EXAMPLE + "# " + "x".repeat(TargetsLoader.MAX_BYTES) + "\n");

    Throwable thrown = catchThrowable(() -> loader.load(file));

    assertThat(thrown)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": larger than 3 MB");
  }

  @Test
  void fileJustUnderTheCapIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("padded.yaml");
    String padding = "#" + "x".repeat(200) + "\n";
    StringBuilder text = new StringBuilder(DESIGN_EXAMPLE);
    while (text.length() + padding.length() <= TargetsLoader.MAX_BYTES) {
      text.append(padding);
    }
    Files.writeString(file, text);

    assertThat(loader.load(file).accounts()).hasSize(2);
  }

  @Test
  void deviceOrDirectoryIsNotATargetsFile(@TempDir Path dir) {
    Path device = Path.of("/dev/zero");
    assertThat(device).as("this test needs a Linux /dev/zero").exists();

    Throwable fromDevice = catchThrowable(() -> loader.load(device));
    Throwable fromDirectory = catchThrowable(() -> loader.load(dir));

    assertThat(fromDevice)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "/dev/zero: not a regular file (a directory, device or pipe cannot be a targets file)");
    assertThat(fromDirectory)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir + ": not a regular file");
  }

  @Test
  void fileThatIsNotUtf8IsAConfigError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

    assertThat(catchThrowable(() -> loader.load(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": not UTF-8 text");
  }
}
