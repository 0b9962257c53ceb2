package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.amifleet.common.message.Devices;
import io.amifleet.common.message.Hooks;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.Tags;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads targets.yaml: Jackson binds it into the records of {@link TargetsFile}, with {@code ${VAR}}
 * expanded from the environment; then the defaults apply to each account and everything is checked
 * before anything is sent. Every problem is collected and reported at once, each naming the file,
 * the account and the field ({@link Problems}), with values taken from the environment and
 * ExternalIds masked in them, as an error may quote the value it rejects.
 *
 * <p>In three passes: the shape of each part ({@link ShapeCheck}: unknown fields with a "did you
 * mean", values of the wrong type), the binding, then the rules of the values (account IDs, regions
 * and partitions, roles, image names, tags, selectors, retention), all before a problem is thrown.
 *
 * <p>Only regular files of at most {@link #MAX_BYTES} are read, checked before reading: a device
 * such as {@code /dev/zero} would never end, and the YAML parser's time grows with the square of a
 * long line's length (measured: a 3 MB comment line 3 s, 5 MB 7.6 s and 870 MB of memory) before it
 * refuses a document over its own limit of 3 MB. Thread-safe.
 */
public final class TargetsLoader {
  /**
   * The largest targets file read: 3 MiB, the YAML parser's own limit (SnakeYAML's default code
   * point limit, which Jackson keeps), about 60,000 accounts written one per line.
   */
  public static final int MAX_BYTES = 3 * 1024 * 1024;

  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@/-]{1,512}");
  private static final Pattern ORGANIZATION_PARENT =
      Pattern.compile("ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}");
  private static final String DISCOVERED = "defaults (for every discovered account)";

  private final Environment environment;
  // A key given twice would otherwise silently drop the first value (e.g. half of an account's
  // regions); Jackson reports it as a parse error with line and column.
  private final YAMLMapper yaml =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  @Inject
  public TargetsLoader(Environment environment) {
    this.environment = requireNonNull(environment, "environment is null");
  }

  public Targets load(Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException(file + ": file not found");
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          file + ": not a regular file (a directory, device or pipe cannot be a targets file)");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // At most one byte past the cap: a file that grows while it is read is still refused.
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    requireWithinCap(file.toString(), bytes.length);
    return parse(file.toString(), utf8(file.toString(), bytes));
  }

  /** Throws the configuration error for a targets file of {@code size} bytes past the cap. */
  public static void requireWithinCap(String source, long size) {
    if (size > MAX_BYTES) {
      throw new ConfigException(
          source
              + ": larger than "
              + (MAX_BYTES / (1024 * 1024))
              + " MB, the most a targets file may be; is it the right file?");
    }
  }

  /** {@code bytes} as UTF-8 text; bytes that are not UTF-8 are a configuration error. */
  public static String utf8(String source, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(source + ": not UTF-8 text");
    }
  }

  public Targets parse(String source, String text) {
    JsonNode root;
    try {
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where =
          loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      throw new ConfigException(source + where + ": not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(source + ": expected a mapping with 'defaults' and 'accounts'");
    }
    Problems problems = new Problems(source);
    ShapeCheck shape = new ShapeCheck(environment, problems);
    shape.unknownFields((ObjectNode) root, "", Set.of("defaults", "accounts"));
    TargetsFile.Settings defaults = TargetsFile.Settings.NONE;
    JsonNode defaultsNode = root.get("defaults");
    if (defaultsNode != null
        && !defaultsNode.isNull()
        && shape.record(defaultsNode, TargetsFile.Settings.class, "defaults", Set.of())) {
      defaults = bind(defaultsNode, TargetsFile.Settings.class);
    }
    Resolver resolver = new Resolver(problems, defaults);

    JsonNode accounts = root.get("accounts");
    List<AccountTarget> targets = new ArrayList<>();
    Optional<OrganizationSource> organization = Optional.empty();
    if (accounts != null && accounts.isObject()) {
      organization = Optional.ofNullable(organization(accounts, shape, resolver, problems));
    } else if (accounts == null || !accounts.isArray() || accounts.isEmpty()) {
      problems.add(
          "accounts",
          "required: a list of accounts, each with an id, or {fromOrganization: {ous: [...]}}");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < accounts.size(); i++) {
        String where = "accounts[" + i + "]";
        String id = accountId(accounts.get(i), where, shape, problems);
        String at = id == null ? where : where + " (" + id + ")";
        if (!shape.record(accounts.get(i), TargetsFile.Account.class, at, Set.of("id"))) {
          continue;
        }
        AccountTarget target =
            resolver.account(bind(accounts.get(i), TargetsFile.Account.class), id, at);
        if (target != null && !seen.add(target.id())) {
          problems.add(at, "account listed twice");
        }
        if (target != null) {
          targets.add(target);
        }
      }
    }
    problems.throwIfAny();
    return new Targets(source, targets, organization);
  }

  /**
   * The account's ID, checked first, as every other problem of the account names it: written in
   * quotes (YAML reads digits as a number), expanded, 12 digits. Null when it is not one.
   */
  private static String accountId(
      JsonNode account, String where, ShapeCheck shape, Problems problems) {
    JsonNode id = account.isObject() ? account.get("id") : null;
    String value = null;
    if (!account.isObject()) {
      return null;
    } else if (id == null || id.isNull()) {
      problems.add(where, "id is required (the 12-digit account ID, in quotes)");
    } else if (id.isNumber()) {
      problems.add(
          where + ".id",
          "write account IDs in quotes, e.g. \"012345678901\": YAML reads unquoted digits as a"
              + " number and drops leading zeros");
    } else if (!id.isValueNode()) {
      problems.add(where + ".id", "must be a string");
    } else {
      value = shape.expand(id.asText(), where + ".id").orElse(null);
      if (value != null && !Identifiers.ACCOUNT_ID.matcher(value).matches()) {
        problems.add(where + ".id", "'" + value + "' is not a 12-digit account ID");
        value = null;
      }
    }
    if (value == null) {
      ((ObjectNode) account).remove("id");
    } else {
      ((ObjectNode) account).put("id", value);
    }
    return value;
  }

  /** {@code accounts: {fromOrganization: {ous, exclude, roleArn}}}, with the defaults checked. */
  private OrganizationSource organization(
      JsonNode accounts, ShapeCheck shape, Resolver resolver, Problems problems) {
    int before = problems.count();
    String where = "accounts.fromOrganization";
    shape.record(accounts, TargetsFile.Organization.class, "accounts", Set.of());
    TargetsFile.FromOrganization from =
        bind(accounts, TargetsFile.Organization.class).fromOrganization();
    if (from == null) {
      if (!problems.wasMalformed(where)) {
        problems.add(where, "must be a mapping: {ous: [ou-...], exclude: [...]}");
      }
      return null;
    }
    List<String> ous = from.ous() == null ? List.of() : from.ous();
    for (String ou : ous) {
      if (!ORGANIZATION_PARENT.matcher(ou).matches()) {
        problems.add(
            where + ".ous", "'" + ou + "' is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)");
      }
    }
    List<String> exclude = from.exclude() == null ? List.of() : from.exclude();
    for (String id : exclude) {
      if (!Identifiers.ACCOUNT_ID.matcher(id).matches()) {
        problems.add(where + ".exclude", "'" + id + "' is not a 12-digit account ID (quote it)");
      }
    }
    Optional<String> readerRole = Optional.ofNullable(from.roleArn());
    readerRole.ifPresent(
        arn -> {
          if (Identifiers.roleAccount(arn) == null) {
            problems.add(where + ".roleArn", "'" + arn + "' is not an IAM role ARN");
          }
        });
    // Every discovered account gets the defaults: check them now, on a placeholder account.
    AccountTarget prototype =
        resolver.account(
            TargetsFile.Account.withOnly(OrganizationSource.PLACEHOLDER_ACCOUNT),
            OrganizationSource.PLACEHOLDER_ACCOUNT,
            DISCOVERED);
    if (problems.count() > before || prototype == null) {
      return null;
    }
    return new OrganizationSource(ous, Set.copyOf(exclude), readerRole, prototype);
  }

  /** Binds a part of the tree whose shape was checked: it cannot fail for the file's sake. */
  private <T> T bind(JsonNode node, Class<T> type) {
    try {
      return yaml.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a checked part of the targets file did not bind", e);
    }
  }

  /**
   * Applies the defaults to each account and checks the values: an account's own value, else the
   * file's default, else {@link TargetsFile#BUILT_IN}. A problem is reported where the value is
   * written (the account, or {@code defaults}), and, for what only the account's whole settings
   * decide (its regions, its tags), at the account.
   */
  private static final class Resolver {
    private final Problems problems;
    private final TargetsFile.Settings defaults;

    Resolver(Problems problems, TargetsFile.Settings defaults) {
      this.problems = problems;
      this.defaults = defaults;
    }

    /** The account with the defaults applied; null when it has problems (reported). */
    AccountTarget account(TargetsFile.Account a, String id, String at) {
      int before = problems.count();
      String externalId = first(a.externalId(), defaults.externalId(), null);
      problems.secret(externalId);
      if (externalId != null) {
        problems.check(
            at + ".externalId",
            () -> {
              Identifiers.checkExternalId(externalId);
              return externalId;
            });
      }

      List<String> regions = first(a.regions(), defaults.regions(), List.of());
      if (regions.isEmpty()) {
        problems.add(at + ".regions", "required: set regions on the account or in defaults");
      }
      for (String region : regions) {
        Regions.problem(region).ifPresent(p -> problems.add(at + ".regions", p));
      }
      if (new HashSet<>(regions).size() != regions.size()) {
        problems.add(at + ".regions", "a region is listed twice");
      }
      Set<String> partitions = new TreeSet<>();
      regions.forEach(region -> partitions.add(Identifiers.partitionOf(region)));
      if (partitions.size() > 1) {
        problems.add(
            at + ".regions",
            "regions of different partitions "
                + partitions
                + " (an account lives in one partition): list each partition's account separately");
      }
      String roleArn = roleArn(a, id, at, regions);

      String template = first(a.imageName(), defaults.imageName(), null);
      String templateWhere = (a.imageName() != null ? at : "defaults") + ".imageName";
      ImageNameTemplate imageName =
          problems.check(
              templateWhere,
              () ->
                  new ImageNameTemplate(
                      template == null ? TargetsFile.BUILT_IN.imageName() : template));
      if (imageName != null && !imageName.isUniquePerJob()) {
        problems.add(
            templateWhere,
            "'"
                + template
                + "' can give two jobs the same name, and EC2 refuses a name already used in"
                + " the account and region: add {shortJobId} or {jobId} (or both {instanceId}"
                + " and {runId})");
      }

      Map<String, String> tags = new LinkedHashMap<>();
      tags.putAll(first(defaults.tags(), null, Map.of()));
      tags.putAll(first(a.tags(), null, Map.of()));
      try {
        Tags.validated(tags, "tags");
      } catch (IllegalArgumentException e) {
        problems.add(at + ".tags", e.getMessage().replaceFirst("^tags: ", ""));
      }

      Selector select = null;
      TargetsFile.Select spec = a.select() != null ? a.select() : defaults.select();
      if (spec != null) {
        select =
            Selector.of(spec, a.select() != null ? at + ".select" : "defaults.select", problems);
      } else if (!problems.wasMalformed(at + ".select")
          && !problems.wasMalformed("defaults.select")) {
        problems.add(
            at + ".select",
            "required: say which instances to image ({all: true}, instanceIds or tags)");
      }

      Optional<Retention> base =
          Optional.ofNullable(defaults.retention())
              .map(r -> Retention.of(r, "defaults.retention", problems));
      Optional<Retention> own =
          Optional.ofNullable(a.retention()).map(r -> Retention.of(r, at + ".retention", problems));
      Optional<Retention> retention =
          own.isEmpty() ? base : own.map(o -> base.map(b -> b.overriddenBy(o)).orElse(o));

      // An account's hooks replace the default ones as a whole: a pre of one and a post of the
      // other would freeze with one script and thaw with another.
      TargetsFile.HooksSpec hookSpec = a.hooks() != null ? a.hooks() : defaults.hooks();
      Hooks hooks =
          hookSpec == null
              ? null
              : HookRules.of(hookSpec, (a.hooks() != null ? at : "defaults") + ".hooks", problems);
      List<String> excluded = first(a.excludeDevices(), defaults.excludeDevices(), List.of());
      String excludedWhere = (a.excludeDevices() != null ? at : "defaults") + ".excludeDevices";
      try {
        Devices.validated(excluded, "excludeDevices");
      } catch (IllegalArgumentException e) {
        problems.add(excludedWhere, e.getMessage().replaceFirst("^excludeDevices: ", ""));
      }
      List<CopyTarget> copies = copies(a, id, at, regions, externalId);

      if (problems.count() > before || id == null || select == null) {
        return null;
      }
      return new AccountTarget(
          id,
          Optional.ofNullable(a.name()),
          roleArn,
          Optional.ofNullable(externalId),
          regions,
          first(a.reboot(), defaults.reboot(), TargetsFile.BUILT_IN.reboot()),
          imageName,
          tags,
          first(
              a.copyInstanceTags(),
              defaults.copyInstanceTags(),
              TargetsFile.BUILT_IN.copyInstanceTags()),
          select,
          retention,
          Optional.ofNullable(hooks),
          excluded,
          copies);
    }

    /**
     * The account's {@code copies} (its own list, else the default's): each a region, with an
     * account and its role for a vault copy, an optional KMS key and retention. A copy into one of
     * the account's own regions would be a copy of an image into its own region; a destination
     * listed twice would be copied to twice.
     */
    private List<CopyTarget> copies(
        TargetsFile.Account a, String id, String at, List<String> regions, String externalId) {
      List<TargetsFile.CopySpec> specs = first(a.copies(), defaults.copies(), List.of());
      String base = (a.copies() != null ? at : "defaults") + ".copies";
      List<CopyTarget> copies = new ArrayList<>();
      Set<String> destinations = new HashSet<>();
      for (int i = 0; i < specs.size(); i++) {
        String where = base + "[" + i + "]";
        CopyTarget copy = copy(specs.get(i), where, id, at, regions, externalId);
        if (copy != null && !destinations.add(copy.accountIn("self") + "/" + copy.region())) {
          problems.add(where, "destination listed twice (" + copy.region() + ")");
        }
        if (copy != null) {
          copies.add(copy);
        }
      }
      return copies;
    }

    private CopyTarget copy(
        TargetsFile.CopySpec c,
        String where,
        String id,
        String at,
        List<String> regions,
        String externalId) {
      int before = problems.count();
      if (c.region() == null) {
        problems.add(where + ".region", "required: the region the copy goes to");
      } else {
        Regions.problem(c.region()).ifPresent(p -> problems.add(where + ".region", p));
      }
      Optional<String> vault = Optional.empty();
      if (c.account() != null) {
        if (!Identifiers.ACCOUNT_ID.matcher(c.account()).matches()) {
          problems.add(where + ".account", "'" + c.account() + "' is not a 12-digit account ID");
        } else if (!c.account().equals(id)) {
          vault = Optional.of(c.account());
        }
      }
      String partition = regions.isEmpty() ? "aws" : Identifiers.partitionOf(regions.get(0));
      if (c.region() != null && !Identifiers.partitionOf(c.region()).equals(partition)) {
        problems.add(
            where + ".region",
            "'" + c.region() + "' is not in partition " + partition + " of the account's regions");
      }
      if (vault.isEmpty() && c.region() != null && regions.contains(c.region())) {
        problems.add(
            at + ".copies",
            where
                + " copies into "
                + c.region()
                + ", one of the account's own regions: a copy into the source region of the same"
                + " account is no disaster-recovery copy (give another region, or an account)");
      }
      Optional<String> roleArn = Optional.empty();
      if (vault.isPresent()) {
        if (c.roleName() == null) {
          problems.add(where + ".roleName", "required for a copy into another account");
        } else if (!ROLE_NAME.matcher(c.roleName()).matches()) {
          problems.add(where + ".roleName", "'" + c.roleName() + "' is not a valid IAM role name");
        } else {
          roleArn =
              Optional.of("arn:" + partition + ":iam::" + vault.get() + ":role/" + c.roleName());
        }
      } else if (c.roleName() != null) {
        problems.add(
            where + ".roleName",
            "only a copy into another account has a role; a copy in the same account uses the"
                + " account's role");
      }
      String vaultExternalId = c.externalId() != null ? c.externalId() : externalId;
      problems.secret(vaultExternalId);
      if (c.externalId() != null) {
        if (vault.isEmpty()) {
          problems.add(where + ".externalId", "only a copy into another account has an ExternalId");
        }
        problems.check(
            where + ".externalId",
            () -> {
              Identifiers.checkExternalId(c.externalId());
              return c.externalId();
            });
      }
      if (c.kmsKeyId() != null) {
        var m = Identifiers.KMS_KEY.matcher(c.kmsKeyId());
        if (!m.matches()) {
          problems.add(
              where + ".kmsKeyId",
              "'"
                  + c.kmsKeyId()
                  + "' is not a KMS key ID, key ARN, alias (alias/...) or alias ARN");
        } else {
          String keyRegion = m.group(2) != null ? m.group(2) : m.group(5);
          String keyAccount = m.group(3) != null ? m.group(3) : m.group(6);
          String copyAccount = vault.orElse(id);
          if (keyRegion != null && c.region() != null && !keyRegion.equals(c.region())) {
            problems.add(
                where + ".kmsKeyId",
                "the key is in "
                    + keyRegion
                    + ", but the copy goes to "
                    + c.region()
                    + ": CopyImage encrypts with a key of the destination region");
          }
          if (keyAccount != null && copyAccount != null && !keyAccount.equals(copyAccount)) {
            problems.add(
                where + ".kmsKeyId",
                "the key is in account "
                    + keyAccount
                    + ", but the copy is made in "
                    + copyAccount
                    + (vault.isPresent() ? " (the vault: give the vault's own key)" : ""));
          }
        }
      }
      Optional<Retention> retention =
          Optional.ofNullable(c.retention())
              .map(r -> Retention.of(r, where + ".retention", problems));
      if (problems.count() > before) {
        return null;
      }
      return new CopyTarget(
          vault,
          c.region(),
          roleArn,
          vault.isPresent() ? Optional.ofNullable(vaultExternalId) : Optional.empty(),
          Optional.ofNullable(c.kmsKeyId()),
          retention);
    }

    /** The role: the account's roleArn, else its (or the default) role name in the account. */
    private String roleArn(TargetsFile.Account a, String id, String at, List<String> regions) {
      String partition = regions.isEmpty() ? "aws" : Identifiers.partitionOf(regions.get(0));
      if (a.roleArn() == null) {
        String roleName = first(a.roleName(), defaults.roleName(), TargetsFile.BUILT_IN.roleName());
        if (!ROLE_NAME.matcher(roleName).matches()) {
          String where = (a.roleName() != null ? at : "defaults") + ".roleName";
          problems.add(where, "'" + roleName + "' is not a valid IAM role name");
          return null;
        }
        return id == null ? null : "arn:" + partition + ":iam::" + id + ":role/" + roleName;
      }
      String arn = a.roleArn();
      if (a.roleName() != null) {
        problems.add(at, "give roleArn or roleName, not both");
      }
      String arnAccount = Identifiers.roleAccount(arn);
      if (arnAccount == null) {
        problems.add(
            at + ".roleArn",
            "'" + arn + "' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
      } else if (id != null && !arnAccount.equals(id)) {
        problems.add(at + ".roleArn", "role is in account " + arnAccount + ", not " + id);
      } else if (!regions.isEmpty() && !arn.startsWith("arn:" + partition + ":")) {
        problems.add(
            at + ".roleArn",
            "'" + arn + "' is not in partition " + partition + " of regions " + regions);
      } else {
        return arn;
      }
      return null;
    }

    /** The account's value, else the default's, else {@code fallback}. */
    private static <T> T first(T account, T defaults, T fallback) {
      return account != null ? account : defaults != null ? defaults : fallback;
    }
  }
}
