package io.amifleet.emulator;

import static java.util.Objects.requireNonNull;

import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.emulator.realistic.RealisticEc2Proxy;
import java.net.URI;

/**
 * moto with the realistic EC2 layer in front: {@link #endpoint()} is the layer's, so every client
 * goes through it. {@link #reset()} clears moto and the layer and puts the layer back on the
 * settings it started with (a test that changed them leaves nothing behind). Owns both: closing
 * stops the layer, then moto (when this process started it). Thread-safe.
 */
public final class RealisticEmulator implements Emulator {
  private final Emulator moto;
  private final RealisticEc2Proxy layer;
  private final RealismSettings initial;

  private RealisticEmulator(Emulator moto, RealisticEc2Proxy layer, RealismSettings initial) {
    this.moto = moto;
    this.layer = layer;
    this.initial = initial;
  }

  /** Puts the layer on loopback {@code port} (0: a free one) in front of {@code moto}. */
  public static RealisticEmulator start(Emulator moto, RealismSettings settings, int port) {
    requireNonNull(moto, "moto is null");
    requireNonNull(settings, "settings is null");
    try {
      return new RealisticEmulator(
          moto, RealisticEc2Proxy.start(moto.endpoint(), port, settings), settings);
    } catch (RuntimeException e) {
      moto.close();
      throw e;
    }
  }

  /** Starts moto ({@link MotoLauncher#fromEnvironment()}) and the layer on a free port. */
  public static RealisticEmulator startWithMoto(RealismSettings settings) {
    return start(MotoLauncher.fromEnvironment().start(), settings, 0);
  }

  @Override
  public URI endpoint() {
    return layer.endpoint();
  }

  /** moto's own endpoint, behind the layer (for what must not be counted or changed). */
  public URI motoEndpoint() {
    return moto.endpoint();
  }

  public RealisticEc2Proxy layer() {
    return layer;
  }

  @Override
  public String description() {
    return "realistic EC2 layer (" + layer.settings().profile() + ") on " + moto.description();
  }

  @Override
  public void reset() {
    moto.reset();
    layer.reset();
    layer.use(initial);
  }

  @Override
  public void close() {
    try {
      layer.close();
    } finally {
      moto.close();
    }
  }
}
