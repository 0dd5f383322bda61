package io.sagabus.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports nobody listens on now, so tests that run side by side never collide. They are drawn below Linux's ephemeral
 * range (32768 and up): a port the kernel handed out and took back ({@code new ServerSocket(0)}) can be given to the
 * next outgoing connection (a pool, Hazelcast) before the test binds it.
 */
public final class FreePorts {

  private static final int LOWEST = 10_000;
  private static final int BELOW_EPHEMERAL = 32_768;
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  public static int next() {
    return block(1);
  }

  /** A run of {@code count} consecutive free ports, for Hazelcast members that auto-increment. */
  public static int block(int count) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL - count);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no block of " + count + " free ports below " + BELOW_EPHEMERAL);
  }

  private static boolean allFree(int base, int count) {
    for (int port = base; port < base + count; port++) {
      try (ServerSocket socket = new ServerSocket(port)) {
        socket.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
