package io.amifleet.emulator.realistic;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client request as the layer sees it: who signed it (access key, and so the account), for
 * which service and region (the SigV4 credential scope {@code
 * AKID/date/region/service/aws4_request}), and which API it calls ({@code EC2.CreateImage}, {@code
 * SQS.SendMessageBatch}). The body of EC2 and STS calls is read as a Query form.
 */
record Call(
    HttpMethod method,
    String uri,
    HttpHeaders headers,
    byte[] body,
    String service,
    String region,
    String accessKey,
    String account,
    String api,
    QueryForm form) {

  static Call of(
      HttpMethod method, String uri, HttpHeaders headers, byte[] body, AccountDirectory accounts) {
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION, "");
    String accessKey = null;
    String region = "";
    String service = "unsigned";
    int i = auth.indexOf("Credential=");
    if (i >= 0) {
      int end = auth.indexOf(',', i);
      String[] scope =
          auth.substring(i + "Credential=".length(), end < 0 ? auth.length() : end).split("/");
      if (scope.length >= 4) {
        accessKey = scope[0];
        region = scope[2];
        service = scope[3];
      }
    }
    QueryForm form = null;
    String operation;
    String target = headers.get("X-Amz-Target");
    String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE, "");
    if (target != null) {
      operation = target.substring(target.lastIndexOf('.') + 1);
    } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
      form = QueryForm.parse(new String(body, StandardCharsets.UTF_8));
      operation = form.action();
    } else {
      operation = method.name();
    }
    String api = service.toUpperCase(Locale.ROOT) + "." + operation;
    return new Call(
        method,
        uri,
        headers,
        body,
        service,
        region,
        accessKey,
        accounts.account(accessKey),
        api,
        form);
  }

  /** The EC2 or STS action, or null for other services. */
  String action() {
    return form == null ? null : form.action();
  }
}
