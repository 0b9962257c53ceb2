package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * The three AWS Organizations calls amifleet needs (ListAccounts, ListAccountsForParent,
 * ListOrganizationalUnitsForParent), made with the SDK's SigV4 signer and HTTP client over the
 * service's JSON protocol. The SDK's Organizations client is not served by the Maven registry this
 * project builds from (its newest there is 2.40.2, behind the 2.57.8 of every other SDK module),
 * and mixing SDK versions is worse than these few requests. Thread-safe; does not own the HTTP
 * client.
 */
public final class OrganizationsApi {
  private static final String TARGET_PREFIX = "AWSOrganizationsV20161128.";
  private static final int ATTEMPTS = 4;

  private final SdkHttpClient http;
  private final ObjectMapper mapper;
  private final AwsCredentialsProvider credentials;
  private final URI endpoint;
  private final String signingRegion;

  /** One account as Organizations lists it. */
  record OrgAccount(String id, String name, String status) {}

  public OrganizationsApi(
      SdkHttpClient http,
      ObjectMapper mapper,
      AwsCredentialsProvider credentials,
      URI endpoint,
      String signingRegion) {
    this.http = requireNonNull(http, "http is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.signingRegion = requireNonNull(signingRegion, "signingRegion is null");
  }

  /**
   * The global endpoint and signing region of the partition a hub region belongs to
   * (https://docs.aws.amazon.com/general/latest/gr/ao.html).
   */
  static URI endpointFor(String hubRegion) {
    if (hubRegion.startsWith("cn-")) {
      return URI.create("https://organizations.cn-northwest-1.amazonaws.com.cn");
    }
    if (hubRegion.startsWith("us-gov-")) {
      return URI.create("https://organizations.us-gov-west-1.amazonaws.com");
    }
    return URI.create("https://organizations.us-east-1.amazonaws.com");
  }

  static String signingRegionFor(String hubRegion) {
    if (hubRegion.startsWith("cn-")) {
      return "cn-northwest-1";
    }
    if (hubRegion.startsWith("us-gov-")) {
      return "us-gov-west-1";
    }
    return "us-east-1";
  }

  void listAccounts(Consumer<OrgAccount> each) {
    paginate("ListAccounts", mapper.createObjectNode(), "Accounts", n -> each.accept(account(n)));
  }

  void listAccountsForParent(String parentId, Consumer<OrgAccount> each) {
    paginate(
        "ListAccountsForParent",
        mapper.createObjectNode().put("ParentId", parentId),
        "Accounts",
        n -> each.accept(account(n)));
  }

  List<String> listOrganizationalUnitsForParent(String parentId) {
    List<String> ids = new ArrayList<>();
    paginate(
        "ListOrganizationalUnitsForParent",
        mapper.createObjectNode().put("ParentId", parentId),
        "OrganizationalUnits",
        n -> ids.add(n.path("Id").asText()));
    return ids;
  }

  private static OrgAccount account(JsonNode n) {
    // Status (ACTIVE, SUSPENDED, PENDING_CLOSURE) is being replaced by State; read either.
    String status = n.hasNonNull("State") ? n.get("State").asText() : n.path("Status").asText();
    return new OrgAccount(n.path("Id").asText(), n.path("Name").asText(null), status);
  }

  private void paginate(
      String operation, ObjectNode request, String listField, Consumer<JsonNode> each) {
    String next = null;
    do {
      if (next != null) {
        request.put("NextToken", next);
      }
      JsonNode page = call(operation, request);
      page.path(listField).forEach(each);
      next = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
    } while (next != null);
  }

  /** One Organizations call: {@code operation} with the JSON request; the JSON answer. */
  public JsonNode call(String operation, ObjectNode request) {
    String body = request.toString();
    for (int attempt = 1; ; attempt++) {
      SdkHttpRequest unsigned =
          SdkHttpRequest.builder()
              .method(SdkHttpMethod.POST)
              .uri(endpoint)
              .putHeader("Content-Type", "application/x-amz-json-1.1")
              .putHeader("X-Amz-Target", TARGET_PREFIX + operation)
              .build();
      SignedRequest signed =
          AwsV4HttpSigner.create()
              .sign(
                  r ->
                      r.identity(credentials.resolveCredentials())
                          .request(unsigned)
                          .payload(ContentStreamProvider.fromUtf8String(body))
                          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "organizations")
                          .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion));
      try {
        HttpExecuteResponse response =
            http.prepareRequest(
                    HttpExecuteRequest.builder()
                        .request(signed.request())
                        .contentStreamProvider(signed.payload().orElse(null))
                        .build())
                .call();
        JsonNode json;
        try (InputStream in = response.responseBody().orElse(null)) {
          json = in == null ? mapper.createObjectNode() : mapper.readTree(in);
        }
        int status = response.httpResponse().statusCode();
        if (status < 300) {
          return json;
        }
        String type = json.path("__type").asText("HTTP" + status);
        String code = type.substring(type.lastIndexOf('#') + 1);
        String message = json.path("Message").asText(json.path("message").asText(""));
        boolean retryable =
            status >= 500 || code.contains("TooManyRequests") || code.contains("Throttling");
        if (retryable && attempt < ATTEMPTS) {
          pause(attempt);
          continue;
        }
        throw new AmiFleetException(
            retryable ? ErrorKind.RETRYABLE : ErrorKind.PERMANENT,
            code,
            "Organizations " + operation + ": " + code + ": " + message);
      } catch (IOException e) {
        if (attempt < ATTEMPTS) {
          pause(attempt);
          continue;
        }
        throw new AmiFleetException(
            ErrorKind.RETRYABLE,
            "ClientError",
            "Organizations " + operation + ": " + e.getMessage(),
            e);
      }
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(200L << attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
