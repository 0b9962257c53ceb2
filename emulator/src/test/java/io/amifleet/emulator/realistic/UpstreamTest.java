package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The layer's calls to moto, against a one-connection server on loopback. */
class UpstreamTest {
  private final NioEventLoopGroup loop = new NioEventLoopGroup(1);
  private ServerSocket server;

  @AfterEach
  void tearDown() throws IOException {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anAnswerFollowedByTheUsualCloseIsTheAnswer() throws Exception {
    Upstream upstream =
        serving("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

    Answer a = send(upstream).get(10, TimeUnit.SECONDS);

    assertThat(a.status()).isEqualTo(200);
    assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  @Test
  void aCloseBeforeAnyAnswerFailsTheCall() throws Exception {
    Upstream upstream = serving(null);

    assertThatThrownBy(() -> send(upstream).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessage("the emulator closed the connection");
  }

  private static CompletableFuture<Answer> send(Upstream upstream) {
    return upstream.send(
        HttpMethod.POST,
        "/",
        new DefaultHttpHeaders(),
        "Action=DescribeImages".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An upstream at a server that reads one request, writes {@code response} (none when null) and
   * closes the connection, as moto does.
   */
  private Upstream serving(String response) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                readRequest(s.getInputStream());
                if (response != null) {
                  OutputStream out = s.getOutputStream();
                  out.write(response.getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                }
              } catch (IOException e) {
                // the test fails on the answer it did not get
              }
            },
            "upstream-test-server");
    t.setDaemon(true);
    t.start();
    return new Upstream(loop, URI.create("http://127.0.0.1:" + server.getLocalPort()));
  }

  /** Reads the head and the body (Content-Length) of one request. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return;
      }
      head.append((char) c);
    }
    String lower = head.toString().toLowerCase(Locale.ROOT);
    int i = lower.indexOf("content-length:");
    if (i >= 0) {
      int length = Integer.parseInt(lower.substring(i + 15, lower.indexOf("\r\n", i)).trim());
      in.readNBytes(length);
    }
  }
}
