package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.worker.image.Ec2Target;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.autoscaling.AutoScalingAsyncClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateOverrides;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;

/**
 * {@link ImageUsage} over the SDK, in the target account with its role. Five checks, batched per
 * account+region and run side by side, each answering "in use by ..." per image or "could not
 * check: ..." as a whole:
 *
 * <ol>
 *   <li><b>instances</b>: DescribeInstances filtered on {@code image-id} (200 values per call,
 *       EC2's limit per filter,
 *       https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Filter.html) and on every state
 *       but {@code terminated};
 *   <li><b>launch templates</b>: DescribeLaunchTemplates, then DescribeLaunchTemplateVersions of
 *       each (every version, or {@code $Default} and {@code $Latest} when the policy says so); a
 *       version naming its image by an SSM parameter ({@code resolve:ssm:...}) uses the parameter's
 *       value (GetParameters);
 *   <li><b>Auto Scaling groups</b>: DescribeAutoScalingGroups; the launch configurations they use
 *       (DescribeLaunchConfigurations, 50 names per call, its limit,
 *       https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeLaunchConfigurations.html)
 *       and the launch template versions they launch, overrides of a mixed instances policy
 *       included;
 *   <li><b>shares</b> (unless {@code allowShared}): DescribeImageAttribute {@code launchPermission}
 *       per image (EC2 has no batch form): another account, an organization, an OU or everyone;
 *   <li><b>SSM parameters</b> (when {@code parameterPaths} are set): GetParametersByPath,
 *       recursive, every AMI ID in a value.
 * </ol>
 *
 * <p>Beside them, the account's Recycle Bin rules are read for the report ({@link
 * RecycleBinRules}): a note, never a reason to keep an image.
 *
 * <p>The SDK retries throttling as for every call; a check that still fails is reported, never
 * thrown. Stateless; thread-safe.
 */
public final class AwsImageUsage implements ImageUsage {
  /** EC2's limit of values in one filter. */
  static final int FILTER_VALUES = 200;

  /** DescribeLaunchConfigurations' limit of names per call. */
  static final int LAUNCH_CONFIGURATION_NAMES = 50;

  /** GetParameters' limit of names per call. */
  static final int PARAMETER_NAMES = 10;

  /** How a launch template names its image through an SSM parameter. */
  private static final String SSM_REFERENCE = "resolve:ssm:";

  /** Every instance state but {@code terminated}: such an instance can start again. */
  private static final List<String> LIVE_STATES =
      List.of("pending", "running", "shutting-down", "stopping", "stopped");

  private static final Pattern AMI_ID = Pattern.compile("\\bami-[0-9a-f]{8,17}\\b");

  private final Ec2Clients ec2;
  private final UsageClients clients;

  @Inject
  public AwsImageUsage(Ec2Clients ec2, UsageClients clients) {
    this.ec2 = requireNonNull(ec2, "ec2 is null");
    this.clients = requireNonNull(clients, "clients is null");
  }

  @Override
  public CompletableFuture<Report> check(
      Ec2Target target, Set<String> imageIds, Retention retention) {
    if (imageIds.isEmpty()) {
      return CompletableFuture.completedFuture(Report.nothingToCheck());
    }
    Checks checks = new Checks(Set.copyOf(imageIds));
    List<CompletableFuture<Void>> all = new ArrayList<>();
    all.add(checks.run("instances", () -> instances(target, checks)));
    all.add(checks.run("launch templates", () -> launchTemplates(target, retention, checks)));
    all.add(checks.run("Auto Scaling groups", () -> autoScalingGroups(target, checks)));
    if (retention.keepsShared()) {
      all.add(checks.run("shares", () -> shares(target, checks)));
    }
    if (!retention.ssmPaths().isEmpty()) {
      all.add(checks.run("SSM parameters", () -> parameters(target, retention.ssmPaths(), checks)));
    }
    CompletableFuture<List<String>> recycleBin =
        RecycleBinRules.notes(
            clients.rbin(target.role(), target.region()), target.region(), checks.calls);
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
        .thenCombine(recycleBin, (x, notes) -> checks.report(notes));
  }

  private Ec2AsyncClient ec2(Ec2Target target) {
    return ec2.client(target.role(), target.region());
  }

  private CompletableFuture<Void> instances(Ec2Target target, Checks checks) {
    List<CompletableFuture<Void>> chunks = new ArrayList<>();
    List<String> ids = List.copyOf(checks.candidates);
    for (int i = 0; i < ids.size(); i += FILTER_VALUES) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + FILTER_VALUES));
      chunks.add(
          ec2(target)
              .describeInstancesPaginator(
                  b ->
                      b.filters(
                              Filter.builder().name("image-id").values(chunk).build(),
                              Filter.builder()
                                  .name("instance-state-name")
                                  .values(LIVE_STATES)
                                  .build())
                          .maxResults(1000))
              .subscribe(
                  page -> {
                    checks.called();
                    page.reservations().stream()
                        .flatMap(r -> r.instances().stream())
                        .forEach(
                            in ->
                                checks.used(
                                    in.imageId(),
                                    "in use by instance "
                                        + in.instanceId()
                                        + " ("
                                        + in.state().nameAsString()
                                        + ")"));
                  }));
    }
    return allOf(chunks);
  }

  private CompletableFuture<Void> launchTemplates(
      Ec2Target target, Retention retention, Checks checks) {
    List<String> templates = Collections.synchronizedList(new ArrayList<>());
    return ec2(target)
        .describeLaunchTemplatesPaginator(b -> b.maxResults(200))
        .subscribe(
            page -> {
              checks.called();
              page.launchTemplates().forEach(t -> templates.add(t.launchTemplateId()));
            })
        .thenCompose(
            x -> {
              List<CompletableFuture<Void>> each = new ArrayList<>();
              for (String id : List.copyOf(templates)) {
                List<String> versions =
                    retention.templateVersions() == Retention.LaunchTemplateVersions.ALL
                        ? List.of()
                        : List.of("$Default", "$Latest");
                each.add(
                    templateVersions(
                        target, id, versions, checks, v -> "in use by launch template " + v));
              }
              return allOf(each);
            });
  }

  /**
   * The versions of one launch template ({@code versions}, or all when empty); an image a version
   * launches is used by {@code who.apply("lt-1 (web):v3")}.
   */
  private CompletableFuture<Void> templateVersions(
      Ec2Target target,
      String templateId,
      List<String> versions,
      Checks checks,
      Function<String, String> who) {
    return templateVersions(target, b -> b.launchTemplateId(templateId), versions, checks, who);
  }

  private CompletableFuture<Void> templateVersions(
      Ec2Target target,
      Consumer<DescribeLaunchTemplateVersionsRequest.Builder> which,
      List<String> versions,
      Checks checks,
      Function<String, String> who) {
    // A version may name its image through an SSM parameter ("resolve:ssm:/amis/web:3"): the
    // image it launches is that parameter's value, asked for once all pages are read.
    Map<String, List<String>> viaParameter = new ConcurrentHashMap<>();
    return ec2(target)
        .describeLaunchTemplateVersionsPaginator(
            b -> {
              which.accept(b);
              if (!versions.isEmpty()) {
                b.versions(versions);
              } else {
                b.maxResults(200);
              }
            })
        .subscribe(
            page -> {
              checks.called();
              for (LaunchTemplateVersion v : page.launchTemplateVersions()) {
                String image =
                    v.launchTemplateData() == null ? null : v.launchTemplateData().imageId();
                if (image == null) {
                  continue;
                }
                String use =
                    who.apply(
                        v.launchTemplateId()
                            + " ("
                            + v.launchTemplateName()
                            + "):v"
                            + v.versionNumber());
                if (image.startsWith(SSM_REFERENCE)) {
                  viaParameter
                      .computeIfAbsent(
                          image.substring(SSM_REFERENCE.length()),
                          k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(use);
                } else {
                  checks.used(image, use);
                }
              }
            })
        .thenCompose(x -> resolveParameters(target, viaParameter, checks));
  }

  /**
   * The values of the parameters launch template versions name their image by, 10 per GetParameters
   * call (its limit,
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html); a name
   * may carry a version or label ({@code /amis/web:3}), which GetParameters takes as it is.
   */
  private CompletableFuture<Void> resolveParameters(
      Ec2Target target, Map<String, List<String>> viaParameter, Checks checks) {
    List<String> names = List.copyOf(viaParameter.keySet());
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < names.size(); i += PARAMETER_NAMES) {
      List<String> chunk = names.subList(i, Math.min(names.size(), i + PARAMETER_NAMES));
      calls.add(
          clients
              .ssm(target.role(), target.region())
              .getParameters(b -> b.names(chunk))
              .thenAccept(
                  r -> {
                    checks.called();
                    r.parameters()
                        .forEach(
                            p -> {
                              String asked =
                                  p.selector() == null ? p.name() : p.name() + p.selector();
                              List<String> uses =
                                  viaParameter.getOrDefault(
                                      asked, viaParameter.getOrDefault(p.name(), List.of()));
                              for (String use : List.copyOf(uses)) {
                                checks.used(p.value(), use + " via parameter " + p.name());
                              }
                            });
                  }));
    }
    return allOf(calls);
  }

  private CompletableFuture<Void> autoScalingGroups(Ec2Target target, Checks checks) {
    AutoScalingAsyncClient autoScaling = clients.autoScaling(target.role(), target.region());
    Map<String, List<String>> configurations = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> templates = Collections.synchronizedList(new ArrayList<>());
    return autoScaling
        .describeAutoScalingGroupsPaginator(b -> b.maxRecords(100))
        .subscribe(
            page -> {
              checks.called();
              for (AutoScalingGroup g : page.autoScalingGroups()) {
                String group = "in use by asg " + g.autoScalingGroupName();
                if (g.launchConfigurationName() != null) {
                  configurations
                      .computeIfAbsent(
                          g.launchConfigurationName(),
                          k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(group);
                }
                List<LaunchTemplateSpecification> specs = new ArrayList<>();
                if (g.launchTemplate() != null) {
                  specs.add(g.launchTemplate());
                }
                if (g.mixedInstancesPolicy() != null
                    && g.mixedInstancesPolicy().launchTemplate() != null) {
                  var lt = g.mixedInstancesPolicy().launchTemplate();
                  if (lt.launchTemplateSpecification() != null) {
                    specs.add(lt.launchTemplateSpecification());
                  }
                  for (LaunchTemplateOverrides o : lt.overrides()) {
                    if (o.launchTemplateSpecification() != null) {
                      specs.add(o.launchTemplateSpecification());
                    }
                  }
                }
                for (LaunchTemplateSpecification spec : specs) {
                  String version = spec.version() == null ? "$Default" : spec.version();
                  templates.add(
                      templateVersions(
                          target,
                          b -> {
                            if (spec.launchTemplateId() != null) {
                              b.launchTemplateId(spec.launchTemplateId());
                            } else {
                              b.launchTemplateName(spec.launchTemplateName());
                            }
                          },
                          List.of(version),
                          checks,
                          v -> group + " (launch template " + v + ")"));
                }
              }
            })
        .thenCompose(
            x -> {
              List<CompletableFuture<Void>> more = new ArrayList<>(templates);
              List<String> names = List.copyOf(configurations.keySet());
              for (int i = 0; i < names.size(); i += LAUNCH_CONFIGURATION_NAMES) {
                List<String> chunk =
                    names.subList(i, Math.min(names.size(), i + LAUNCH_CONFIGURATION_NAMES));
                more.add(
                    autoScaling
                        .describeLaunchConfigurationsPaginator(
                            b -> b.launchConfigurationNames(chunk).maxRecords(50))
                        .subscribe(
                            page -> {
                              checks.called();
                              page.launchConfigurations()
                                  .forEach(
                                      lc -> {
                                        for (String group :
                                            configurations.getOrDefault(
                                                lc.launchConfigurationName(), List.of())) {
                                          checks.used(
                                              lc.imageId(),
                                              group
                                                  + " (launch configuration "
                                                  + lc.launchConfigurationName()
                                                  + ")");
                                        }
                                      });
                            }));
              }
              return allOf(more);
            });
  }

  private CompletableFuture<Void> shares(Ec2Target target, Checks checks) {
    List<CompletableFuture<Void>> each = new ArrayList<>();
    for (String image : checks.candidates) {
      each.add(
          ec2(target)
              .describeImageAttribute(
                  b -> b.imageId(image).attribute(ImageAttributeName.LAUNCH_PERMISSION))
              .thenAccept(
                  r -> {
                    checks.called();
                    for (LaunchPermission p : r.launchPermissions()) {
                      checks.used(image, "shared with " + with(p));
                    }
                  }));
    }
    return allOf(each);
  }

  private static String with(LaunchPermission p) {
    if (p.userId() != null) {
      return p.userId();
    }
    if (p.organizationalUnitArn() != null) {
      return p.organizationalUnitArn();
    }
    if (p.organizationArn() != null) {
      return p.organizationArn();
    }
    return "group " + p.groupAsString() + " (public)";
  }

  private CompletableFuture<Void> parameters(Ec2Target target, List<String> paths, Checks checks) {
    List<CompletableFuture<Void>> each = new ArrayList<>();
    for (String path : paths) {
      each.add(
          clients
              .ssm(target.role(), target.region())
              .getParametersByPathPaginator(b -> b.path(path).recursive(true).maxResults(10))
              .subscribe(
                  page -> {
                    checks.called();
                    page.parameters()
                        .forEach(
                            p -> {
                              Matcher m = AMI_ID.matcher(String.valueOf(p.value()));
                              while (m.find()) {
                                checks.used(m.group(), "named in parameter " + p.name());
                              }
                            });
                  }));
    }
    return allOf(each);
  }

  private static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> futures) {
    return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
  }

  /** What one {@link #check} learns, from every check at once. Thread-safe. */
  private static final class Checks {
    final Set<String> candidates;
    private final Map<String, Set<String>> usedBy = new ConcurrentHashMap<>();
    private final List<String> notRun = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger calls = new AtomicInteger();

    Checks(Set<String> candidates) {
      this.candidates = candidates;
    }

    void called() {
      calls.incrementAndGet();
    }

    void used(String image, String by) {
      if (image != null && candidates.contains(image)) {
        usedBy
            .computeIfAbsent(image, k -> Collections.synchronizedSet(new LinkedHashSet<>()))
            .add(by);
      }
    }

    /** Runs one check; its failure is reported, not thrown. */
    CompletableFuture<Void> run(
        String name, java.util.function.Supplier<CompletableFuture<Void>> check) {
      CompletableFuture<Void> f;
      try {
        f = check.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      return f.handle(
          (ok, e) -> {
            if (e != null) {
              notRun.add(name + ": could not check: " + AwsErrors.translate(e, name).getMessage());
            }
            return null;
          });
    }

    ImageUsage.Report report(List<String> notes) {
      Map<String, List<String>> found = new LinkedHashMap<>();
      candidates.stream()
          .sorted()
          .forEach(
              id -> {
                Set<String> uses = usedBy.get(id);
                if (uses != null) {
                  synchronized (uses) {
                    found.put(id, List.copyOf(uses));
                  }
                }
              });
      List<String> failed;
      synchronized (notRun) {
        failed = notRun.stream().sorted().toList();
      }
      return new ImageUsage.Report(found, failed, calls.get(), notes);
    }
  }
}
