package io.amifleet.emulator.realistic;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP answer of the layer: moto's, possibly rewritten, or the layer's own (an EC2 or STS
 * error, the counters). {@code throttled} marks a RequestLimitExceeded of the layer's buckets.
 */
record Answer(int status, HttpHeaders headers, byte[] body, boolean throttled) {
  static Answer xml(int status, String xml) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.CONTENT_TYPE, "text/xml;charset=UTF-8");
    return new Answer(status, h, xml.getBytes(StandardCharsets.UTF_8), false);
  }

  static Answer ec2Error(int status, String code, String message) {
    return xml(status, Xml.ec2Error(code, message));
  }

  static Answer stsError(int status, String code, String message) {
    return xml(status, Xml.stsError(code, message));
  }

  /** EC2's answer to a call its bucket refused (HTTP 503, RequestLimitExceeded). */
  static Answer throttledCall() {
    Answer a = ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.");
    return new Answer(a.status, a.headers, a.body, true);
  }

  static Answer json(int status, String json) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return new Answer(status, h, json.getBytes(StandardCharsets.UTF_8), false);
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  Answer withText(String text) {
    return new Answer(status, headers, text.getBytes(StandardCharsets.UTF_8), throttled);
  }

  boolean ok() {
    return status == 200;
  }
}
