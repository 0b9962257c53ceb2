package io.amifleet.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds and reads the module's deployable files: the CloudFormation templates in {@code
 * infra/cloudformation/} and the IAM documents in {@code infra/iam/}. The templates use long-form
 * intrinsics ({@code Fn::Sub}, {@code Ref}), so they are plain YAML. Stateless; thread-safe.
 */
final class Templates {
  static final String HUB_STACK = "hub-stack.yaml";
  static final String TARGET_ROLE = "target-role.yaml";
  static final String ORG_READER_ROLE = "org-reader-role.yaml";
  static final String VAULT_ROLE = "vault-role.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private Templates() {}

  /** The infra module directory: Maven's {@code basedir}, else the working directory. */
  static Path moduleDir() {
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    if (Files.isDirectory(dir.resolve("cloudformation"))) {
      return dir;
    }
    Path fromRoot = dir.resolve("infra");
    if (Files.isDirectory(fromRoot.resolve("cloudformation"))) {
      return fromRoot;
    }
    throw new IllegalStateException("cannot find infra/cloudformation from " + dir);
  }

  static Path templateDir() {
    return moduleDir().resolve("cloudformation");
  }

  /** Every template file, sorted; never empty (a missing directory is an error, not a pass). */
  static List<Path> all() {
    try (Stream<Path> files = Files.list(templateDir())) {
      List<Path> templates =
          files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
      if (templates.isEmpty()) {
        throw new IllegalStateException("no templates in " + templateDir());
      }
      return templates;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode load(String fileName) {
    return read(YAML, templateDir().resolve(fileName));
  }

  static JsonNode iamDocument(String fileName) {
    return read(JSON, moduleDir().resolve("iam").resolve(fileName));
  }

  static ObjectMapper json() {
    return JSON;
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
