package io.amifleet.worker.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on loopback in front of the emulator that loses responses, as a network does
 * when a connection is cut after the server acted: requests that {@code lose} matches (e.g. EC2's
 * {@code Action=CreateImage}) are forwarded and executed upstream, and then, for the first {@code
 * times} of them, the response is held for {@code hold} and the client's connection is closed
 * instead of answering. Everything else passes through unchanged.
 *
 * <p>Each client connection is served by a thread of its own, one request at a time (the SDK does
 * not pipeline); each request goes upstream on a connection of its own. Owns its threads and
 * sockets; {@link #close()} stops them. Thread-safe.
 */
public final class LostResponseProxy implements AutoCloseable {
  private final URI upstream;
  private final Predicate<String> lose;
  private final Duration hold;
  private final AtomicInteger toLose;
  private final AtomicInteger matched = new AtomicInteger();
  private final AtomicInteger lost = new AtomicInteger();
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final List<Socket> open = new ArrayList<>();
  private volatile boolean closed;

  /**
   * @param upstream where requests go (the emulator)
   * @param lose which requests lose their response, by their body (form-encoded for EC2)
   * @param times how many of those lose it; the rest are answered
   * @param hold how long a lost response is held before the connection is closed
   */
  public LostResponseProxy(URI upstream, Predicate<String> lose, int times, Duration hold)
      throws IOException {
    this.upstream = upstream;
    this.lose = lose;
    this.hold = hold;
    this.toLose = new AtomicInteger(times);
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** A request body of EC2's query protocol asking for {@code action}. */
  public static Predicate<String> ec2Action(String action) {
    return body -> body.contains("Action=" + action + "&") || body.endsWith("Action=" + action);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Requests that matched, forwarded and executed upstream (answered or not). */
  public int matched() {
    return matched.get();
  }

  /** Responses lost so far. */
  public int lost() {
    return lost.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        synchronized (open) {
          open.add(client);
        }
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException("proxy accept failed", e);
        }
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Message request = Message.read(in, true);
        if (request == null) {
          return;
        }
        String body = new String(request.body, ISO_8859_1);
        boolean matches = lose.test(body);
        if (matches) {
          matched.incrementAndGet();
        }
        Message response = forward(request);
        if (matches && toLose.getAndDecrement() > 0) {
          lost.incrementAndGet();
          Thread.sleep(hold.toMillis());
          return; // closes the client's connection: the response never arrives
        }
        response.write(out);
      }
    } catch (IOException | InterruptedException e) {
      // The client went away, or the proxy is closing.
    }
  }

  private Message forward(Message request) throws IOException {
    try (Socket up = new Socket()) {
      up.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 5_000);
      request.write(up.getOutputStream());
      Message response = Message.read(up.getInputStream(), false);
      if (response == null) {
        throw new EOFException("upstream closed without a response");
      }
      return response;
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    synchronized (open) {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }
    threads.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "lost-response-proxy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * One HTTP/1.1 message: the start line, the headers, and the whole body (read by Content-Length,
   * chunked encoding, or, for a response without either, until the connection closes). Written back
   * with a Content-Length and the connection kept open.
   */
  private record Message(String startLine, List<String[]> headers, byte[] body) {
    /** Reads one message, or {@code null} when the connection closed before one began. */
    static Message read(InputStream in, boolean request) throws IOException {
      String start = line(in);
      if (start == null) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      long length = -1;
      boolean chunked = false;
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (lower.equals("transfer-encoding")) {
          chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        } else if (!lower.equals("connection") && !lower.equals("keep-alive")) {
          headers.add(new String[] {name, value});
        }
      }
      byte[] body;
      if (chunked) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String size = line(in); size != null; size = line(in)) {
          int n = Integer.parseInt(size.split(";")[0].trim(), 16);
          if (n == 0) {
            for (String trailer = line(in); trailer != null && !trailer.isEmpty(); ) {
              trailer = line(in);
            }
            break;
          }
          all.write(in.readNBytes(n));
          line(in);
        }
        body = all.toByteArray();
      } else if (length >= 0) {
        body = in.readNBytes((int) length);
      } else if (request || start.contains(" 204 ") || start.contains(" 304 ")) {
        body = new byte[0];
      } else {
        body = in.readAllBytes();
      }
      return new Message(start, headers, body);
    }

    void write(OutputStream out) throws IOException {
      StringBuilder head = new StringBuilder(startLine).append("\r\n");
      for (String[] h : headers) {
        head.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n");
      head.append("Connection: keep-alive\r\n\r\n");
      out.write(head.toString().getBytes(ISO_8859_1));
      out.write(body);
      out.flush();
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          byte[] b = buf.toByteArray();
          int end = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
          return new String(b, 0, end, ISO_8859_1);
        }
        buf.write(c);
      }
      return buf.size() == 0 ? null : buf.toString(ISO_8859_1);
    }
  }
}
