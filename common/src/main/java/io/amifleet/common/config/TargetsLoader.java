package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.Tags;
import io.amifleet.common.secret.Secrets;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads targets.yaml, expands {@code ${VAR}} from the environment, applies the defaults to each
 * account and checks everything before anything is sent. Every problem is collected and reported at
 * once, each naming the file, the account and the field; values taken from the environment and
 * ExternalIds are masked in them ({@link Secrets}), as an error may quote the value it rejects.
 *
 * <p>Only regular files of at most {@link #MAX_BYTES} are read, checked before reading: a device
 * such as {@code /dev/zero} would never end, and the YAML parser's time grows with the square of a
 * long line's length (measured: a 3 MB comment line 3 s, 5 MB 7.6 s and 870 MB of memory) before it
 * refuses a document over its own limit of 3 MB. Thread-safe.
 */
public final class TargetsLoader {
  public static final String DEFAULT_ROLE_NAME = "AmiFleetCreator";

  /**
   * The largest targets file read: 3 MiB, the YAML parser's own limit (SnakeYAML's default code
   * point limit, which Jackson keeps), about 60,000 accounts written one per line.
   */
  public static final int MAX_BYTES = 3 * 1024 * 1024;

  private static final Set<String> TOP_KEYS = Set.of("defaults", "accounts");
  private static final Set<String> DEFAULT_KEYS =
      Set.of(
          "roleName",
          "externalId",
          "regions",
          "reboot",
          "imageName",
          "tags",
          "copyInstanceTags",
          "select",
          "retention");
  private static final Set<String> ACCOUNT_KEYS =
      Set.of(
          "id",
          "name",
          "roleName",
          "roleArn",
          "externalId",
          "regions",
          "reboot",
          "imageName",
          "tags",
          "copyInstanceTags",
          "select",
          "retention");
  private static final Set<String> SELECT_KEYS = Set.of("all", "instanceIds", "tags", "states");
  private static final Set<String> IMAGEABLE_STATES = Set.of("running", "stopped");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@/-]{1,512}");
  private static final Pattern ORGANIZATION_PARENT =
      Pattern.compile("ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}");

  private final Environment environment;
  // A key given twice would otherwise silently drop the first value (e.g. half of an account's
  // regions); Jackson reports it as a parse error with line and column.
  private final YAMLMapper yaml =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

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
    Reader r = new Reader(source);
    if (root == null || !root.isObject()) {
      throw new ConfigException(source + ": expected a mapping with 'defaults' and 'accounts'");
    }
    r.checkKeys(root, "", TOP_KEYS);
    JsonNode defaults = root.path("defaults");
    if (!defaults.isMissingNode() && !defaults.isObject()) {
      r.problem("defaults", "must be a mapping");
      defaults = r.emptyObject();
    }
    r.checkKeys(defaults, "defaults", DEFAULT_KEYS);

    JsonNode accounts = root.get("accounts");
    List<AccountTarget> targets = new ArrayList<>();
    Optional<OrganizationSource> organization = Optional.empty();
    if (accounts != null && accounts.isObject()) {
      organization = Optional.ofNullable(r.organization(accounts, defaults));
    } else if (accounts == null || !accounts.isArray() || accounts.isEmpty()) {
      r.problem(
          "accounts",
          "required: a list of accounts, each with an id, or {fromOrganization: {ous: [...]}}");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < accounts.size(); i++) {
        JsonNode account = accounts.get(i);
        String where = "accounts[" + i + "]";
        if (!account.isObject()) {
          r.problem(where, "must be a mapping with at least 'id'");
          continue;
        }
        AccountTarget target = r.account(account, defaults, where);
        if (target != null && !seen.add(target.id())) {
          r.problem(where + " (" + target.id() + ")", "account listed twice");
        }
        if (target != null) {
          targets.add(target);
        }
      }
    }
    if (!r.problems.isEmpty()) {
      // Defaults are read once per account; report a problem in them once, not once per account.
      throw new ConfigException(r.rendered());
    }
    return new Targets(source, targets, organization);
  }

  /** One problem: where in the file, and what is wrong there. */
  private record Problem(String where, String message) {}

  /** Walks the tree, collecting problems. One instance per parse. */
  private final class Reader {
    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    /** Values from the environment and ExternalIds: masked in every problem reported. */
    private final Set<String> secrets = new HashSet<>();

    Reader(String source) {
      this.source = source;
    }

    /**
     * The problems as reported: secrets masked in what is said (the place names only the file,
     * account IDs, indexes and field names), each once.
     */
    List<String> rendered() {
      return problems.stream()
          .map(p -> source + ": " + p.where() + ": " + Secrets.redact(p.message(), secrets))
          .distinct()
          .toList();
    }

    JsonNode emptyObject() {
      return yaml.createObjectNode();
    }

    void problem(String where, String message) {
      problems.add(new Problem(where, message));
    }

    void checkKeys(JsonNode node, String where, Set<String> allowed) {
      if (!node.isObject()) {
        return;
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          String prefix = where.isEmpty() ? key : where + "." + key;
          problem(
              prefix,
              "unknown field"
                  + suggestion(key, allowed)
                  + "; allowed: "
                  + allowed.stream().sorted().toList());
        }
      }
    }

    AccountTarget account(JsonNode node, JsonNode defaults, String where) {
      int before = problems.size();
      JsonNode idNode = node.get("id");
      String id = null;
      if (idNode == null || idNode.isNull()) {
        problem(where, "id is required (the 12-digit account ID, in quotes)");
      } else if (idNode.isNumber()) {
        problem(
            where + ".id",
            "write account IDs in quotes, e.g. \"012345678901\": YAML reads unquoted digits as a"
                + " number and drops leading zeros");
      } else {
        id = expand(idNode.asText(), where + ".id");
        if (id != null && !Identifiers.ACCOUNT_ID.matcher(id).matches()) {
          problem(where + ".id", "'" + id + "' is not a 12-digit account ID");
          id = null;
        }
      }
      String at = id == null ? where : where + " (" + id + ")";
      checkKeys(node, at, ACCOUNT_KEYS);

      Optional<String> name = Optional.ofNullable(string(node, "name", at));
      Optional<String> externalId =
          Optional.ofNullable(firstString(node, defaults, "externalId", at));
      externalId.ifPresent(secrets::add);
      externalId.ifPresent(
          e -> {
            if (e.length() < 2 || e.length() > 1224) {
              problem(at + ".externalId", "must be 2-1224 characters");
            }
          });

      List<String> regions =
          stringList(
              node.has("regions") ? node : defaults,
              "regions",
              node.has("regions") ? at : "defaults");
      if (regions == null || regions.isEmpty()) {
        problem(at + ".regions", "required: set regions on the account or in defaults");
        regions = List.of();
      }
      for (String region : regions) {
        if (Regions.problem(region).isPresent()) {
          problem(at + ".regions", Regions.problem(region).orElseThrow());
        }
      }
      if (new HashSet<>(regions).size() != regions.size()) {
        problem(at + ".regions", "a region is listed twice");
      }
      Set<String> partitions = new TreeSet<>();
      regions.forEach(region -> partitions.add(Identifiers.partitionOf(region)));
      if (partitions.size() > 1) {
        problem(
            at + ".regions",
            "regions of different partitions "
                + partitions
                + " (an account lives in one partition): list each partition's account separately");
      }

      String roleArn = null;
      String explicitArn = string(node, "roleArn", at);
      if (explicitArn != null) {
        if (node.has("roleName")) {
          problem(at, "give roleArn or roleName, not both");
        }
        String arnAccount = Identifiers.roleAccount(explicitArn);
        if (arnAccount == null) {
          problem(
              at + ".roleArn",
              "'" + explicitArn + "' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
        } else if (id != null && !arnAccount.equals(id)) {
          problem(at + ".roleArn", "role is in account " + arnAccount + ", not " + id);
        } else if (!regions.isEmpty()
            && !explicitArn.startsWith("arn:" + Identifiers.partitionOf(regions.get(0)) + ":")) {
          problem(
              at + ".roleArn",
              "'"
                  + explicitArn
                  + "' is not in partition "
                  + Identifiers.partitionOf(regions.get(0))
                  + " of regions "
                  + regions);
        } else {
          roleArn = explicitArn;
        }
      } else {
        String roleName = firstString(node, defaults, "roleName", at);
        if (roleName == null) {
          roleName = DEFAULT_ROLE_NAME;
        }
        if (!ROLE_NAME.matcher(roleName).matches()) {
          problem(at + ".roleName", "'" + roleName + "' is not a valid IAM role name");
        } else if (id != null) {
          String partition = regions.isEmpty() ? "aws" : Identifiers.partitionOf(regions.get(0));
          roleArn = "arn:" + partition + ":iam::" + id + ":role/" + roleName;
        }
      }

      boolean reboot = firstBoolean(node, defaults, "reboot", at, false);
      boolean copyInstanceTags = firstBoolean(node, defaults, "copyInstanceTags", at, false);

      ImageNameTemplate imageName = null;
      String template = firstString(node, defaults, "imageName", at);
      String templateWhere = (node.has("imageName") ? at : "defaults") + ".imageName";
      try {
        imageName = new ImageNameTemplate(template == null ? ImageNameTemplate.DEFAULT : template);
        if (!imageName.isUniquePerJob()) {
          problem(
              templateWhere,
              "'"
                  + template
                  + "' can give two jobs the same name, and EC2 refuses a name already used in"
                  + " the account and region: add {shortJobId} or {jobId} (or both {instanceId}"
                  + " and {runId})");
          imageName = null;
        }
      } catch (IllegalArgumentException e) {
        problem(templateWhere, e.getMessage());
      }

      Map<String, String> tags = new LinkedHashMap<>();
      Map<String, String> defaultTags = stringMap(defaults, "tags", "defaults");
      Map<String, String> accountTags = stringMap(node, "tags", at);
      if (defaultTags != null) {
        tags.putAll(defaultTags);
      }
      if (accountTags != null) {
        tags.putAll(accountTags);
      }
      try {
        Tags.validated(tags, "tags");
      } catch (IllegalArgumentException e) {
        problem(at + ".tags", e.getMessage().replaceFirst("^tags: ", ""));
      }

      Selector select = null;
      JsonNode selectNode = node.has("select") ? node.get("select") : defaults.get("select");
      String selectWhere = node.has("select") ? at + ".select" : "defaults.select";
      if (selectNode == null || selectNode.isNull()) {
        problem(
            at + ".select",
            "required: say which instances to image ({all: true}, instanceIds or tags)");
      } else {
        select = selector(selectNode, selectWhere);
      }

      Optional<Retention> retention = retention(node, defaults, at);

      if (problems.size() > before) {
        return null;
      }
      return new AccountTarget(
          id,
          name,
          roleArn,
          externalId,
          regions,
          reboot,
          imageName,
          tags,
          copyInstanceTags,
          select,
          retention);
    }

    /** {@code accounts: {fromOrganization: {ous, exclude, roleArn}}}, with the defaults checked. */
    OrganizationSource organization(JsonNode accounts, JsonNode defaults) {
      int before = problems.size();
      checkKeys(accounts, "accounts", Set.of("fromOrganization"));
      JsonNode from = accounts.get("fromOrganization");
      if (from == null || !from.isObject()) {
        problem("accounts.fromOrganization", "must be a mapping: {ous: [ou-...], exclude: [...]}");
        return null;
      }
      String where = "accounts.fromOrganization";
      checkKeys(from, where, Set.of("ous", "exclude", "roleArn"));
      List<String> ous = from.has("ous") ? stringList(from, "ous", where) : List.of();
      if (ous == null) {
        ous = List.of();
      }
      for (String ou : ous) {
        if (!ORGANIZATION_PARENT.matcher(ou).matches()) {
          problem(
              where + ".ous",
              "'" + ou + "' is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)");
        }
      }
      List<String> exclude = from.has("exclude") ? stringList(from, "exclude", where) : List.of();
      if (exclude == null) {
        exclude = List.of();
      }
      for (String id : exclude) {
        if (!Identifiers.ACCOUNT_ID.matcher(id).matches()) {
          problem(where + ".exclude", "'" + id + "' is not a 12-digit account ID (quote it)");
        }
      }
      Optional<String> readerRole = Optional.ofNullable(string(from, "roleArn", where));
      readerRole.ifPresent(
          arn -> {
            if (Identifiers.roleAccount(arn) == null) {
              problem(where + ".roleArn", "'" + arn + "' is not an IAM role ARN");
            }
          });
      // Every discovered account gets the defaults: check them now, on a placeholder account.
      var placeholder = yaml.createObjectNode().put("id", OrganizationSource.PLACEHOLDER_ACCOUNT);
      int beforeDefaults = problems.size();
      AccountTarget prototype =
          account(placeholder, defaults, "defaults (for every discovered account)");
      if (problems.size() > beforeDefaults) {
        List<Problem> mine = new ArrayList<>(problems.subList(beforeDefaults, problems.size()));
        problems.subList(beforeDefaults, problems.size()).clear();
        for (Problem p : mine) {
          problems.add(
              new Problem(
                  p.where().replace(" (" + OrganizationSource.PLACEHOLDER_ACCOUNT + ")", ""),
                  p.message()));
        }
      }
      if (problems.size() > before || prototype == null) {
        return null;
      }
      return new OrganizationSource(ous, Set.copyOf(exclude), readerRole, prototype);
    }

    Optional<Retention> retention(JsonNode account, JsonNode defaults, String at) {
      Retention base = retentionOf(defaults.get("retention"), "defaults.retention");
      Retention own = retentionOf(account.get("retention"), at + ".retention");
      if (own == null) {
        return Optional.ofNullable(base);
      }
      return Optional.of(base == null ? own : base.overriddenBy(own));
    }

    private Retention retentionOf(JsonNode node, String where) {
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isObject()) {
        problem(where, "must be a mapping: {keepLast: 7, maxAge: 30d}");
        return null;
      }
      checkKeys(node, where, Set.of("keepLast", "maxAge"));
      Optional<Integer> keepLast = Optional.empty();
      JsonNode k = node.get("keepLast");
      if (k != null && !k.isNull()) {
        if (!k.canConvertToInt() || !k.isIntegralNumber() || k.intValue() < 0) {
          problem(where + ".keepLast", "must be a whole number, 0 or more");
        } else {
          keepLast = Optional.of(k.intValue());
        }
      }
      Optional<Duration> maxAge = Optional.empty();
      String age = string(node, "maxAge", where);
      if (age != null) {
        try {
          maxAge = Optional.of(Durations.parse(age));
          if (maxAge.get().isZero()) {
            problem(where + ".maxAge", "must be positive");
            maxAge = Optional.empty();
          }
        } catch (IllegalArgumentException e) {
          problem(where + ".maxAge", e.getMessage());
        }
      }
      try {
        return new Retention(keepLast, maxAge);
      } catch (IllegalArgumentException e) {
        problem(where, e.getMessage());
        return null;
      }
    }

    Selector selector(JsonNode node, String where) {
      if (!node.isObject()) {
        problem(where, "must be a mapping ({all: true}, instanceIds, tags, states)");
        return null;
      }
      checkKeys(node, where, SELECT_KEYS);
      int before = problems.size();
      boolean all = false;
      if (node.has("all")) {
        JsonNode a = node.get("all");
        if (!a.isBoolean()) {
          problem(where + ".all", "must be true or false");
        } else {
          all = a.booleanValue();
        }
      }
      List<String> ids =
          node.has("instanceIds") ? stringList(node, "instanceIds", where) : List.of();
      if (ids == null) {
        ids = List.of();
      }
      for (String id : ids) {
        if (!Identifiers.INSTANCE_ID.matcher(id).matches()) {
          problem(
              where + ".instanceIds",
              "'" + id + "' is not an instance ID like i-0123456789abcdef0");
        }
      }
      Map<String, List<String>> tags = new LinkedHashMap<>();
      JsonNode tagNode = node.get("tags");
      if (tagNode != null && !tagNode.isNull()) {
        if (!tagNode.isObject()) {
          problem(where + ".tags", "must be a mapping of tag key to value or list of values");
        } else {
          tagNode
              .fields()
              .forEachRemaining(
                  e -> {
                    String field = where + ".tags." + e.getKey();
                    JsonNode v = e.getValue();
                    if (v.isValueNode() && !v.isNull()) {
                      String s = expand(v.asText(), field);
                      if (s != null) {
                        tags.put(e.getKey(), List.of(s));
                      }
                    } else if (v.isArray() && !v.isEmpty()) {
                      List<String> values = new ArrayList<>();
                      v.forEach(
                          x -> {
                            if (x.isValueNode() && !x.isNull()) {
                              String s = expand(x.asText(), field);
                              if (s != null) {
                                values.add(s);
                              }
                            } else {
                              problem(field, "list entries must be strings");
                            }
                          });
                      tags.put(e.getKey(), values);
                    } else {
                      problem(field, "must be a string or a non-empty list of strings");
                    }
                  });
        }
      }
      List<String> states =
          node.has("states") ? stringList(node, "states", where) : Selector.DEFAULT_STATES;
      if (states == null || states.isEmpty()) {
        problem(where + ".states", "must list at least one of " + IMAGEABLE_STATES);
        states = Selector.DEFAULT_STATES;
      }
      for (String s : states) {
        if (!IMAGEABLE_STATES.contains(s)) {
          problem(where + ".states", "'" + s + "' cannot be imaged; use running and/or stopped");
        }
      }
      if (problems.size() > before) {
        return null;
      }
      try {
        return new Selector(all, ids, tags, states);
      } catch (IllegalArgumentException e) {
        problem(where, e.getMessage());
        return null;
      }
    }

    String firstString(JsonNode account, JsonNode defaults, String key, String at) {
      if (account.has(key)) {
        return string(account, key, at);
      }
      return string(defaults, key, "defaults");
    }

    boolean firstBoolean(
        JsonNode account, JsonNode defaults, String key, String at, boolean fallback) {
      JsonNode n = account.has(key) ? account.get(key) : defaults.get(key);
      String where = (account.has(key) ? at : "defaults") + "." + key;
      if (n == null || n.isNull()) {
        return fallback;
      }
      if (!n.isBoolean()) {
        problem(where, "must be true or false");
        return fallback;
      }
      return n.booleanValue();
    }

    String string(JsonNode node, String key, String at) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isValueNode()) {
        problem(at + "." + key, "must be a string");
        return null;
      }
      return expand(n.asText(), at + "." + key);
    }

    List<String> stringList(JsonNode node, String key, String at) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isArray()) {
        problem(at + "." + key, "must be a list, e.g. [a, b]");
        return null;
      }
      List<String> out = new ArrayList<>();
      for (JsonNode x : n) {
        if (!x.isValueNode() || x.isNull()) {
          problem(at + "." + key, "entries must be strings");
          continue;
        }
        String s = expand(x.asText(), at + "." + key);
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }

    Map<String, String> stringMap(JsonNode node, String key, String at) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isObject()) {
        problem(at + "." + key, "must be a mapping of key: value");
        return null;
      }
      Map<String, String> out = new LinkedHashMap<>();
      n.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                  problem(at + "." + key + "." + e.getKey(), "must be a string");
                } else {
                  String s = expand(e.getValue().asText(), at + "." + key + "." + e.getKey());
                  if (s != null) {
                    out.put(e.getKey(), s);
                  }
                }
              });
      return out;
    }

    /** Expands ${VAR}; an unset variable is a problem (never silently empty). */
    String expand(String value, String where) {
      Matcher m = VARIABLE.matcher(value);
      StringBuilder out = new StringBuilder();
      boolean ok = true;
      while (m.find()) {
        Optional<String> v = environment.get(m.group(1));
        if (v.isEmpty()) {
          problem(where, "environment variable " + m.group(1) + " is not set");
          ok = false;
          m.appendReplacement(out, "");
        } else {
          secrets.add(v.get());
          m.appendReplacement(out, Matcher.quoteReplacement(v.get()));
        }
      }
      m.appendTail(out);
      return ok ? out.toString() : null;
    }
  }

  private static String suggestion(String key, Set<String> allowed) {
    return Suggestions.didYouMean(key, allowed);
  }
}
