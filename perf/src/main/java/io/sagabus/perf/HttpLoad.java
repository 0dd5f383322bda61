package io.sagabus.perf;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Load from one Vert.x context: a closed loop finds the maximum rate, an open loop holds a fixed rate and records
 * each latency from the moment the request was due, so a stall shows up in the percentiles (no coordinated omission).
 */
public final class HttpLoad {

  /** What a run produced: rate of successes, latency in microseconds, failures and the first of them. */
  public record Result(double perSecond, Histogram latencyMicros, long failures, String firstFailure) {
    public double ms(double percentile) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private final Context context;
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  public HttpLoad(Context context) {
    this.context = context;
  }

  /** {@code connections} loops, each sending the next call when the last one answers, for {@code seconds}. */
  public <T> Result closedLoop(int connections, int seconds, Supplier<Future<T>> call, Predicate<T> success) throws Exception {
    Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong succeeded = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      loops.add(finished);
      context.runOnContext(ignored -> step(call, success, deadline, histogram, succeeded, failed, finished));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(seconds + 120L, TimeUnit.SECONDS);
    return new Result(succeeded.get() / ((System.nanoTime() - start) / 1e9), histogram, failed.get(), firstFailure.getAndSet(null));
  }

  private <T> void step(Supplier<Future<T>> call, Predicate<T> success, long deadline, Histogram histogram,
      AtomicLong succeeded, AtomicLong failed, CompletableFuture<Void> finished) {
    long sent = System.nanoTime();
    if (sent > deadline) {
      finished.complete(null);
      return;
    }
    call.get().onComplete(result -> {
      histogram.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
      if (result.succeeded() && success.test(result.result())) {
        succeeded.incrementAndGet();
      } else {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, describe(result));
      }
      step(call, success, deadline, histogram, succeeded, failed, finished);
    });
  }

  /** {@code rate} calls per second on a fixed schedule for {@code millis}. */
  public <T> Result openLoop(int rate, long millis, Supplier<Future<T>> call, Predicate<T> success) throws Exception {
    return openLoop(rate, millis, List.of(call), success).get(0);
  }

  /**
   * {@code rate} calls per second on a fixed schedule for {@code millis}, taking the calls in turn: request
   * {@code i} goes to {@code calls[i % n]}. Interleaving request by request puts every side under the same
   * background (GC pauses, a busy scheduler), so the difference between their percentiles is the difference between
   * the calls. One result per call, in order.
   */
  public <T> List<Result> openLoop(int rate, long millis, List<Supplier<Future<T>>> calls, Predicate<T> success) throws Exception {
    int sides = calls.size();
    List<Histogram> histograms = new ArrayList<>();
    List<AtomicLong> failures = new ArrayList<>();
    for (int i = 0; i < sides; i++) {
      histograms.add(new Histogram(TimeUnit.SECONDS.toMicros(60), 3));
      failures.add(new AtomicLong());
    }
    long total = Math.max(sides, rate * millis / 1000);
    AtomicLong sent = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    double intervalNanos = 1e9 / rate;
    context.runOnContext(ignored -> context.owner().setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (sent.get() < total && start + (long) (sent.get() * intervalNanos) <= now) {
        long index = sent.getAndIncrement();
        long due = start + (long) (index * intervalNanos);
        int side = (int) (index % sides);
        calls.get(side).get().onComplete(result -> {
          if (result.failed() || !success.test(result.result())) {
            failures.get(side).incrementAndGet();
            firstFailure.compareAndSet(null, describe(result));
          }
          histograms.get(side).recordValue(Math.max(1, (System.nanoTime() - due) / 1_000));
          if (answered.incrementAndGet() == total) {
            finished.complete(null);
          }
        });
      }
      if (sent.get() >= total) {
        context.owner().cancelTimer(id);
      }
    }));
    finished.get(millis + 120_000L, TimeUnit.MILLISECONDS);
    String failure = firstFailure.getAndSet(null);
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < sides; i++) {
      long count = histograms.get(i).getTotalCount();
      results.add(new Result((count - failures.get(i).get()) * 1000.0 / millis, histograms.get(i), failures.get(i).get(), failure));
    }
    return results;
  }

  private static String describe(AsyncResult<?> result) {
    String text = result.succeeded() ? String.valueOf(result.result()) : result.cause().toString();
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** A port free at the moment of asking, for a node a benchmark starts. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
