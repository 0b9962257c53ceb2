package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Environment;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Checks the hub's own credentials once, with STS GetCallerIdentity, before a command fans out to
 * accounts and regions: without it, a missing or expired login shows up as the SDK's whole
 * credential-chain report once per account+region. GetCallerIdentity needs no permission (it cannot
 * be denied by IAM:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), so it fails only
 * for credentials, not for policy. Thread-safe; owns nothing.
 */
public final class HubIdentity {
  private static final Logger log = LoggerFactory.getLogger(HubIdentity.class);

  /** Codes STS answers for credentials it does not accept (STS API reference, common errors). */
  private static final Set<String> REJECTED =
      Set.of(
          "InvalidClientTokenId",
          "UnrecognizedClientException",
          "SignatureDoesNotMatch",
          "ExpiredToken",
          "ExpiredTokenException",
          "RequestExpired",
          "InvalidAccessKeyId",
          "AccessDenied",
          "AccessDeniedException",
          "AuthFailure");

  private final StsClient sts;
  private final Environment environment;

  @Inject
  public HubIdentity(StsClient sts, Environment environment) {
    this.sts = requireNonNull(sts, "sts is null");
    this.environment = requireNonNull(environment, "environment is null");
  }

  /**
   * The caller's ARN; a {@link ConfigException} (exit 2, one line with the fix) when there are no
   * credentials or STS rejects them. Other failures (network, 5xx) are translated as usual.
   */
  public String verify() {
    GetCallerIdentityResponse identity;
    try {
      identity = sts.getCallerIdentity();
    } catch (AwsServiceException e) {
      String code = AwsErrors.errorCodeOf(e);
      if (REJECTED.contains(code) || e.statusCode() == 403) {
        throw new ConfigException(
            "the hub credentials were rejected by STS ("
                + code
                + "): they are expired or wrong; "
                + fix());
      }
      throw AwsErrors.translate(e, "STS GetCallerIdentity");
    } catch (SdkClientException e) {
      if (noCredentials(e)) {
        throw new ConfigException("no AWS credentials for the hub account; " + fix());
      }
      throw AwsErrors.translate(e, "STS GetCallerIdentity");
    }
    log.debug("hub identity: {} (account {})", identity.arn(), identity.account());
    return identity.arn();
  }

  /** What to do, in the user's situation (a profile named or not). */
  String fix() {
    return environment
        .get("AWS_PROFILE")
        .filter(p -> !p.isBlank())
        .map(
            p ->
                "sign in again with 'aws sso login --profile "
                    + p
                    + "' (or check profile '"
                    + p
                    + "' in ~/.aws/config)")
        .orElse(
            "sign in with 'aws sso login --profile NAME' and set AWS_PROFILE=NAME, or export"
                + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task"
                + " role provides them");
  }

  /**
   * The SDK's credential chains report failure with a client exception whose message starts this
   * way (DefaultCredentialsProvider, ProfileCredentialsProvider and the SSO provider alike).
   */
  private static boolean noCredentials(SdkClientException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null
          && (m.startsWith("Unable to load credentials")
              || m.contains("Unable to load credentials from")
              || m.contains("The SSO session associated with this profile has expired")
              || m.contains("Profile file contained no credentials"))) {
        return true;
      }
    }
    return false;
  }
}
