package io.amifleet.common.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;

/**
 * targets.yaml as written: the records Jackson binds the file into, before defaults apply and
 * values are checked ({@link TargetsLoader}). A value not written is {@code null}. The records are
 * also the file's schema: {@link ShapeCheck} reads their components for the fields each mapping may
 * have (and the "did you mean" of a misspelt one) and the shape of each value, so a field added
 * here is read, checked for shape and bound without another change.
 */
final class TargetsFile {
  /**
   * What applies where neither an account nor {@code defaults} says otherwise: the one place
   * amifleet's own defaults are written (a selector's states default to {@link
   * Selector#DEFAULT_STATES}).
   */
  static final Settings BUILT_IN =
      new Settings(
          "AmiFleetCreator",
          null,
          null,
          false,
          ImageNameTemplate.DEFAULT,
          Map.of(),
          false,
          null,
          null,
          null,
          null,
          null);

  private TargetsFile() {}

  /** What a value of the wrong shape is told, for a mapping of this record type. */
  @java.lang.annotation.Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @interface Shape {
    String value();
  }

  /** A mapping to one value, or to a non-empty list of them (a tag selector's values). */
  @java.lang.annotation.Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  @interface OneOrMore {}

  /** {@code defaults}: what every account gets unless it says otherwise. */
  @Shape("must be a mapping")
  record Settings(
      String roleName,
      String externalId,
      List<String> regions,
      Boolean reboot,
      String imageName,
      Map<String, String> tags,
      Boolean copyInstanceTags,
      Select select,
      RetentionRule retention,
      HooksSpec hooks,
      List<String> excludeDevices,
      List<CopySpec> copies) {
    /** No defaults written: a file without {@code defaults}. */
    static final Settings NONE =
        new Settings(null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** One entry of {@code accounts}. */
  @Shape("must be a mapping with at least 'id'")
  record Account(
      String id,
      String name,
      String roleName,
      String roleArn,
      String externalId,
      List<String> regions,
      Boolean reboot,
      String imageName,
      Map<String, String> tags,
      Boolean copyInstanceTags,
      Select select,
      RetentionRule retention,
      HooksSpec hooks,
      List<String> excludeDevices,
      List<CopySpec> copies) {
    /** An account that says nothing but its ID: it gets the defaults. */
    static Account withOnly(String id) {
      return new Account(
          id, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
  }

  /** {@code hooks}: SSM commands around CreateImage ({@link io.amifleet.common.message.Hooks}). */
  @Shape("must be a mapping: {pre: {...}, post: {...}, onPreFailure: skip-image}")
  record HooksSpec(HookSpec pre, HookSpec post, String onPreFailure) {}

  /** {@code hooks.pre} or {@code hooks.post}: one SSM Run Command. */
  @Shape(
      "must be a mapping: {document: AWS-RunShellScript, commands: [...], timeout: 60s} or"
          + " {document: MyDoc, parameters: {...}}")
  record HookSpec(
      String document,
      List<String> commands,
      @OneOrMore Map<String, List<String>> parameters,
      String timeout) {}

  /** {@code select}: which instances to image ({@link Selector}). */
  @Shape("must be a mapping ({all: true}, instanceIds, tags, states)")
  record Select(
      Boolean all,
      List<String> instanceIds,
      @OneOrMore Map<String, List<String>> tags,
      List<String> states) {}

  /** {@code retention}: how many images to keep ({@link io.amifleet.common.config.Retention}). */
  @Shape("must be a mapping: {keepLast: 7, maxAge: 30d}")
  record RetentionRule(
      Integer keepLast,
      String maxAge,
      String deprecateAfter,
      String deleteAfterDeprecation,
      Boolean allowShared,
      String launchTemplateVersions,
      List<String> parameterPaths) {}

  /**
   * One entry of {@code copies}: a disaster-recovery copy of each image, into another region of the
   * same account, or (with {@code account}) into a vault account through its {@code roleName}
   * ({@link CopyTarget}).
   */
  @Shape("must be a mapping: {region: eu-west-1, kmsKeyId: ..., retention: {keepLast: 14}}")
  record CopySpec(
      String account,
      String region,
      String roleName,
      String externalId,
      String kmsKeyId,
      RetentionRule retention) {}

  /** {@code accounts} as a mapping: the accounts of an organization. */
  @Shape("must be a mapping: {fromOrganization: {ous: [...]}}")
  record Organization(FromOrganization fromOrganization) {}

  /** {@code accounts.fromOrganization} ({@link OrganizationSource}). */
  @Shape("must be a mapping: {ous: [ou-...], exclude: [...]}")
  record FromOrganization(List<String> ous, List<String> exclude, String roleArn) {}
}
