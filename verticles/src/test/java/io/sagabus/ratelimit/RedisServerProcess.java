package io.sagabus.ratelimit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A throwaway redis-server of the test's own on a port of its own, so outages never touch the shared Redis. */
final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private Process process;

  RedisServerProcess(int port) {
    this.port = port;
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  RedisServerProcess start() {
    try {
      process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server must be on the PATH", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (ping()) {
        return this;
      }
      sleep(50);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING within 10 s");
  }

  void stop() {
    if (process != null) {
      thaw();
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** SIGSTOP: the server keeps its connections open but answers nothing, like a hung Redis. */
  void freeze() {
    signal("-STOP");
  }

  void thaw() {
    signal("-CONT");
  }

  private void signal(String signal) {
    try {
      new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** EXISTS over a raw socket: the test checks where decisions went without a client of its own. */
  boolean exists(String key) {
    String reply = command("*2\r\n$6\r\nEXISTS\r\n$" + key.getBytes(StandardCharsets.UTF_8).length + "\r\n" + key + "\r\n");
    return reply.startsWith(":1");
  }

  private boolean ping() {
    try {
      return command("PING\r\n").startsWith("+PONG");
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  private String command(String resp) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write(resp.getBytes(StandardCharsets.UTF_8));
      byte[] buffer = new byte[256];
      int read = socket.getInputStream().read(buffer);
      return read <= 0 ? "" : new String(buffer, 0, read, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
