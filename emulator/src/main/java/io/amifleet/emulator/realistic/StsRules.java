package io.amifleet.emulator.realistic;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * STS as the layer sees it: AssumeRole demands the ExternalId configured for the role (moto does
 * not evaluate trust policies), its credentials may be given a short lifetime, and every answer
 * teaches the {@link AccountDirectory} which account the new access key acts in. ExternalIds are
 * compared, never printed. Thread-safe.
 */
final class StsRules {
  private final Upstream moto;
  private final AccountDirectory accounts;

  StsRules(Upstream moto, AccountDirectory accounts) {
    this.moto = moto;
    this.accounts = accounts;
  }

  CompletableFuture<Answer> handle(Call call, RealismSettings s) {
    if (!"AssumeRole".equals(call.action())) {
      return moto.forward(call);
    }
    String roleArn = call.form().get("RoleArn");
    if (roleArn != null && s.on(Rule.EXTERNAL_ID)) {
      Optional<String> demanded = s.externalIdFor(roleArn);
      if (demanded.isPresent() && !demanded.get().equals(call.form().get("ExternalId"))) {
        return CompletableFuture.completedFuture(
            Answer.stsError(
                403,
                "AccessDenied",
                "User: arn:aws:iam::"
                    + call.account()
                    + ":user/emulated is not authorized to perform: sts:AssumeRole on resource: "
                    + roleArn));
      }
    }
    return moto.forward(call).thenApply(a -> a.ok() ? learn(a, roleArn, s) : a);
  }

  private Answer learn(Answer a, String roleArn, RealismSettings s) {
    String xml = a.text();
    String key = Xml.first(xml, "AccessKeyId");
    String[] arn = roleArn == null ? new String[0] : roleArn.split(":");
    if (key == null || arn.length < 5) {
      return a;
    }
    String expiration = Xml.first(xml, "Expiration");
    long expires;
    if (s.on(Rule.CREDENTIAL_EXPIRY) && s.credentialLifetime().isPresent()) {
      expires = System.currentTimeMillis() + s.credentialLifetime().get().toMillis();
      if (expiration != null) {
        xml =
            xml.replace(
                "<Expiration>" + expiration + "</Expiration>",
                "<Expiration>" + Instant.ofEpochMilli(expires) + "</Expiration>");
        a = a.withText(xml);
      }
    } else {
      expires = parse(expiration);
    }
    accounts.learn(key, arn[4], expires);
    return a;
  }

  private static long parse(String expiration) {
    try {
      return expiration == null ? Long.MAX_VALUE : Instant.parse(expiration).toEpochMilli();
    } catch (DateTimeParseException e) {
      return Long.MAX_VALUE;
    }
  }
}
