package io.amifleet.emulator.realistic;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realistic EC2 layer: an HTTP proxy in front of moto that speaks the AWS protocols unchanged
 * (any client, the SDK, the aws CLI or boto3, points {@code AWS_ENDPOINT_URL} at it) and makes EC2
 * behave as real EC2 does where moto does not: throttling, latency, pending and failed images,
 * eventual consistency, validation, snapshot tags in CreateImage, ExternalIds and credential
 * lifetimes, SSM commands that take time and can fail ({@link RealismSettings}). SQS and every
 * other service pass through untouched, but counted.
 *
 * <p>Reserved paths: {@code GET /_amifleet/stats} (the counters as JSON), {@code POST
 * /_amifleet/stats/reset}, {@code POST /_amifleet/reset} (counters and state). {@code POST
 * /moto-api/reset} resets moto and the layer's state together.
 *
 * <p>Nothing holds a thread per call: requests are read and answered on two Netty event loops,
 * calls to moto are asynchronous on the same loops, and latency is a scheduled write. So the CPU
 * time of those threads is the layer's own cost ({@link #cpuNanos()}). Owns its event loops and
 * server socket, closed by {@link #close()}; thread-safe.
 */
public final class RealisticEc2Proxy implements AutoCloseable {
  public static final String STATS_PATH = "/_amifleet/stats";
  public static final String RESET_PATH = "/_amifleet/reset";

  private static final Logger log = LoggerFactory.getLogger(RealisticEc2Proxy.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final NioEventLoopGroup loops;
  private final URI upstream;
  private final Upstream moto;
  private final TokenBuckets buckets = new TokenBuckets(System::nanoTime);
  private final ImageTracker images = new ImageTracker();
  private final CreatedImages created = new CreatedImages();
  private final AccountDirectory accounts = new AccountDirectory();
  private final ProxyStats stats = new ProxyStats();
  private final Ec2Rules ec2;
  private final StsRules sts;
  private final SsmRules ssm;
  private final SplittableRandom latency;
  private final Channel server;
  private final URI endpoint;
  private volatile RealismSettings settings;

  private RealisticEc2Proxy(URI upstream, int port, RealismSettings settings)
      throws InterruptedException {
    this.upstream = requireNonNull(upstream, "upstream is null");
    this.settings = requireNonNull(settings, "settings is null");
    AtomicInteger n = new AtomicInteger();
    this.loops =
        new NioEventLoopGroup(
            2,
            r -> {
              Thread t = new Thread(r, "amifleet-ec2-layer-" + n.incrementAndGet());
              t.setDaemon(true);
              threads.add(t);
              return t;
            });
    this.moto = new Upstream(loops, upstream);
    this.ec2 =
        new Ec2Rules(moto, buckets, images, created, accounts, System::nanoTime, settings.seed());
    this.sts = new StsRules(moto, accounts);
    this.ssm = new SsmRules(moto, System::nanoTime);
    this.latency = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
    Handler handler = new Handler();
    try {
      this.server =
          new ServerBootstrap()
              .group(loops)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                          .addLast(handler);
                    }
                  })
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
              .sync()
              .channel();
    } catch (RuntimeException | InterruptedException e) {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    int bound = ((InetSocketAddress) server.localAddress()).getPort();
    this.endpoint = URI.create("http://127.0.0.1:" + bound);
  }

  /**
   * Starts the layer on loopback {@code port} (0: a free one) in front of moto at {@code upstream}.
   */
  public static RealisticEc2Proxy start(URI upstream, int port, RealismSettings settings) {
    try {
      RealisticEc2Proxy proxy = new RealisticEc2Proxy(upstream, port, settings);
      log.debug(
          "realistic EC2 layer ({}) on {} in front of {}", settings, proxy.endpoint, upstream);
      return proxy;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the EC2 layer", e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot start the EC2 layer on port " + port + ": " + e.getMessage(), e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  public URI upstream() {
    return upstream;
  }

  public RealismSettings settings() {
    return settings;
  }

  /** Applies {@code value} to every call from now on (state, counters and buckets are kept). */
  public void use(RealismSettings value) {
    settings = requireNonNull(value, "value is null");
  }

  public ProxyStats.Snapshot stats() {
    return stats.snapshot(cpuNanos());
  }

  public void resetStats() {
    stats.clear();
  }

  /**
   * The images CreateImage made through the layer since it started or was last {@link #reset}, with
   * the pending time drawn for each; {@link CreatedImages.Snapshot#since} keeps those made after an
   * earlier snapshot.
   */
  public CreatedImages.Snapshot createdImages() {
    return created.snapshot();
  }

  /**
   * Forgets everything: counters, buckets, tracked images and names, the record of created images,
   * learned access keys.
   */
  public void reset() {
    stats.clear();
    buckets.clear();
    images.clear();
    created.clear();
    accounts.clear();
    ssm.clear();
  }

  /** CPU time used by the layer's threads since it started. */
  public long cpuNanos() {
    long total = 0;
    for (Thread t : threads) {
      long cpu = THREADS.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        total += cpu;
      }
    }
    return total;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private long latencyNanos(Call call, RealismSettings s) {
    if (!s.on(Rule.LATENCY) || !(call.service().equals("ec2") || call.service().equals("sts"))) {
      return 0;
    }
    long min = s.latencyMin().toNanos();
    long max = s.latencyMax().toNanos();
    double draw;
    synchronized (latency) {
      draw = latency.nextDouble();
    }
    return min + (long) (draw * (max - min));
  }

  private CompletableFuture<Answer> route(Call call, RealismSettings s) {
    if (call.form() != null && call.service().equals("ec2")) {
      return ec2.handle(call, s);
    }
    if (call.form() != null && call.service().equals("sts")) {
      return sts.handle(call, s);
    }
    if (call.service().equals("ssm")) {
      return ssm.handle(call, call.api().substring("SSM.".length()), s);
    }
    return moto.forward(call);
  }

  private Answer control(HttpMethod method, String path) {
    if (path.equals(STATS_PATH) && method.equals(HttpMethod.GET)) {
      return Answer.json(200, stats().toJson());
    }
    if (path.equals(STATS_PATH + "/reset") && method.equals(HttpMethod.POST)) {
      resetStats();
      return Answer.json(200, "{\"reset\":\"stats\"}");
    }
    if (path.equals(RESET_PATH) && method.equals(HttpMethod.POST)) {
      reset();
      return Answer.json(200, "{\"reset\":\"all\"}");
    }
    return Answer.json(
        404,
        "{\"error\":\"unknown path; try GET "
            + STATS_PATH
            + ", POST "
            + STATS_PATH
            + "/reset or POST "
            + RESET_PATH
            + "\"}");
  }

  @ChannelHandler.Sharable
  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      long arrival = System.nanoTime();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      String uri = request.uri();
      if (uri.startsWith("/_amifleet/")) {
        write(ctx, control(request.method(), uri), keepAlive);
        return;
      }
      byte[] body = ByteBufUtil.getBytes(request.content());
      HttpHeaders headers = new DefaultHttpHeaders().set(request.headers());
      if (uri.startsWith("/moto-api/reset")) {
        moto.send(request.method(), uri, headers, body)
            .whenComplete(
                (a, e) -> {
                  reset();
                  write(ctx, e == null ? a : failure(e), keepAlive);
                });
        return;
      }
      RealismSettings s = settings;
      Call call = Call.of(request.method(), uri, headers, body, accounts);
      long delay = latencyNanos(call, s);
      CompletableFuture<Answer> answer;
      try {
        answer = route(call, s);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete(
          (a, e) -> {
            Answer out = e == null ? a : failure(e);
            stats.record(call.api(), call.account(), out.status(), out.throttled());
            long wait = arrival + delay - System.nanoTime();
            if (wait > 0) {
              ctx.executor().schedule(() -> write(ctx, out, keepAlive), wait, TimeUnit.NANOSECONDS);
            } else {
              ctx.executor().execute(() -> write(ctx, out, keepAlive));
            }
          });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("EC2 layer connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  private static Answer failure(Throwable e) {
    log.warn("EC2 layer: a call to the emulator failed: {}", e.toString());
    return Answer.ec2Error(500, "InternalError", "realistic EC2 layer: " + e.getMessage());
  }

  private static void write(ChannelHandlerContext ctx, Answer a, boolean keepAlive) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(a.status()),
            Unpooled.wrappedBuffer(a.body()));
    if (a.headers() != null) {
      r.headers().set(a.headers());
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
    ChannelFuture f = ctx.writeAndFlush(r);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
