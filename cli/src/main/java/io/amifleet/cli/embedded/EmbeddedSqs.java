package io.amifleet.cli.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import scala.concurrent.Await;

/**
 * An SQS server inside this JVM (ElasticMQ) on a free loopback port: the queue of single-machine
 * mode. The same SDK client code talks to it as to real SQS. In memory: its messages end with the
 * process, which is why a rerun with the same run ID re-dispatches and adopts what was made.
 *
 * <p>Owns the server; {@link #close()} stops it.
 */
public final class EmbeddedSqs implements AutoCloseable {
  static final Duration STOP_WAIT = Duration.ofMillis(100);

  private final SQSRestServer server;
  private final URI endpoint;

  private EmbeddedSqs(SQSRestServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  public static EmbeddedSqs start() {
    SQSRestServer server =
        SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = server.waitUntilStarted().localAddress().getPort();
    return new EmbeddedSqs(server, URI.create("http://127.0.0.1:" + port));
  }

  /** Starts on {@code port}, so that the endpoint is known before the server is up. */
  public static EmbeddedSqs start(int port) {
    SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port).start();
    server.waitUntilStarted();
    return new EmbeddedSqs(server, endpoint(port));
  }

  public static URI endpoint(int port) {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** A port free on loopback right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /**
   * Stops the server, waiting at most {@link #STOP_WAIT}: its queues are in memory and discarded
   * anyway, and ElasticMQ's stop can wait up to a second or more for HTTP connections to drain
   * (measured: 1 s at the end of every run), so it finishes on a daemon thread while the command
   * exits.
   */
  @Override
  public void close() {
    Thread stopper =
        new Thread(
            () -> {
              try {
                Await.result(
                    server.stopAndGetFuture().apply(),
                    scala.concurrent.duration.Duration.create(30, TimeUnit.SECONDS));
              } catch (Exception e) {
                // In-memory queues: nothing is lost if the server does not stop cleanly.
              }
            },
            "amifleet-embedded-sqs-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(STOP_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
