package io.amifleet.emulator.realistic;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests to moto without holding a thread: one connection per request on the layer's own
 * event loops (moto's server answers {@code Connection: close} anyway). Thread-safe; does not own
 * the event loop group.
 */
final class Upstream {
  private static final int MAX_ANSWER_BYTES = 512 * 1024 * 1024;

  private final Bootstrap bootstrap;
  private final URI target;
  private final String hostHeader;

  Upstream(EventLoopGroup group, URI target) {
    this.target = target;
    this.hostHeader = target.getHost() + ":" + port(target);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(MAX_ANSWER_BYTES));
                  }
                });
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  /** The client's request as it came. */
  CompletableFuture<Answer> forward(Call call) {
    return send(call.method(), call.uri(), call.headers(), call.body());
  }

  /** The client's request with another form body (a rule changed it). */
  CompletableFuture<Answer> forward(Call call, QueryForm form) {
    return send(
        call.method(), call.uri(), call.headers(), form.encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A call of the layer's own, signed as the client's call was: moto does not check SigV4
   * signatures, only reads the access key to pick the account, so reusing the client's
   * Authorization header makes the call act in the client's account and region.
   */
  CompletableFuture<Answer> sideCall(Call call, String formBody) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(HttpHeaderNames.AUTHORIZATION, call.headers().get(HttpHeaderNames.AUTHORIZATION, ""));
    String token = call.headers().get("X-Amz-Security-Token");
    if (token != null) {
      h.set("X-Amz-Security-Token", token);
    }
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8");
    return send(HttpMethod.POST, "/", h, formBody.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A call of the layer's own in another account and region: signed (in form only, as moto reads
   * it) with {@code accessKey}, an access key of that account, and {@code region} in its scope.
   */
  CompletableFuture<Answer> sideCallAs(String accessKey, String region, String formBody) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(
        HttpHeaderNames.AUTHORIZATION,
        "AWS4-HMAC-SHA256 Credential="
            + accessKey
            + "/20260101/"
            + region
            + "/ec2/aws4_request, SignedHeaders=host, Signature=0");
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8");
    return send(HttpMethod.POST, "/", h, formBody.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A KMS call of the layer's own (JSON protocol), acting as {@code accessKey} in {@code region}.
   */
  CompletableFuture<Answer> kmsCallAs(
      String accessKey, String region, String operation, String jsonBody) {
    HttpHeaders h = new DefaultHttpHeaders();
    h.set(
        HttpHeaderNames.AUTHORIZATION,
        "AWS4-HMAC-SHA256 Credential="
            + accessKey
            + "/20260101/"
            + region
            + "/kms/aws4_request, SignedHeaders=host, Signature=0");
    h.set("X-Amz-Target", "TrentService." + operation);
    h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-amz-json-1.1");
    return send(HttpMethod.POST, "/", h, jsonBody.getBytes(StandardCharsets.UTF_8));
  }

  CompletableFuture<Answer> send(HttpMethod method, String uri, HttpHeaders headers, byte[] body) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body));
    request.headers().set(headers);
    request
        .headers()
        .remove(HttpHeaderNames.TRANSFER_ENCODING)
        .remove(HttpHeaderNames.EXPECT)
        .set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    bootstrap
        .connect(target.getHost(), port(target))
        .addListener(
            (ChannelFutureListener)
                connected -> {
                  if (!connected.isSuccess()) {
                    request.release();
                    answer.completeExceptionally(
                        new IOException(
                            "cannot reach the emulator at " + target, connected.cause()));
                    return;
                  }
                  Channel ch = connected.channel();
                  ch.pipeline().addLast(new Reader(answer));
                  // Every connection ends closed (moto answers Connection: close), almost always
                  // after its answer: only a close before it is an error, so build the exception
                  // (and its stack trace) only then.
                  ch.closeFuture()
                      .addListener(
                          f -> {
                            if (!answer.isDone()) {
                              answer.completeExceptionally(
                                  new IOException("the emulator closed the connection"));
                            }
                          });
                  ch.writeAndFlush(request)
                      .addListener(
                          (ChannelFutureListener)
                              written -> {
                                if (!written.isSuccess()) {
                                  answer.completeExceptionally(written.cause());
                                  ch.close();
                                }
                              });
                });
    return answer;
  }

  /** Completes the answer with the response, then closes the connection. */
  private static final class Reader extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CompletableFuture<Answer> answer;

    Reader(CompletableFuture<Answer> answer) {
      this.answer = answer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      HttpHeaders h = new DefaultHttpHeaders().set(response.headers());
      h.remove(HttpHeaderNames.CONNECTION)
          .remove(HttpHeaderNames.CONTENT_LENGTH)
          .remove(HttpHeaderNames.TRANSFER_ENCODING);
      answer.complete(
          new Answer(response.status().code(), h, ByteBufUtil.getBytes(response.content()), false));
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      answer.completeExceptionally(cause);
      ctx.close();
    }
  }
}
