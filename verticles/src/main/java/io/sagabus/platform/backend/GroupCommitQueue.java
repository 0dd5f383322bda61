package io.sagabus.platform.backend;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit: items added while a batch is being written go together into the next batch, at most
 * {@code maxBatch} items a batch and {@code maxInFlight} batches at a time. The writer completes each item's own
 * promise; the queue only decides what goes into which batch. Confined to the event loop it is used on.
 */
public final class GroupCommitQueue<T> {

  private final Vertx vertx;
  private final int maxBatch;
  private final int maxInFlight;
  private final Function<List<T>, Future<?>> writeBatch;
  private final long minIntervalNanos;
  private final List<T> queue = new ArrayList<>();
  private int inFlight;
  private boolean flushScheduled;
  private long lastStartNanos;

  public GroupCommitQueue(Vertx vertx, int maxBatch, int maxInFlight, Function<List<T>, Future<?>> writeBatch) {
    this(vertx, maxBatch, maxInFlight, 0, writeBatch);
  }

  public GroupCommitQueue(Vertx vertx, int maxBatch, int maxInFlight, long minIntervalMs, Function<List<T>, Future<?>> writeBatch) {
    this.vertx = vertx;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMs);
    this.writeBatch = writeBatch;
    this.lastStartNanos = System.nanoTime() - minIntervalNanos;
  }

  /** Queues {@code item} for the next batch; a batch starts on the next turn of the event loop, not at once. */
  public void add(T item) {
    queue.add(item);
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (!flushScheduled && !queue.isEmpty() && inFlight < maxInFlight) {
      flushScheduled = true;
      long waitMs = TimeUnit.NANOSECONDS.toMillis(lastStartNanos + minIntervalNanos - System.nanoTime());
      if (waitMs > 0) {
        vertx.setTimer(waitMs, id -> flush());
      } else {
        vertx.getOrCreateContext().runOnContext(ignored -> flush());
      }
    }
  }

  private void flush() {
    flushScheduled = false;
    if (queue.isEmpty() || inFlight >= maxInFlight) {
      return;
    }
    List<T> batch = new ArrayList<>(queue.subList(0, Math.min(maxBatch, queue.size())));
    queue.subList(0, batch.size()).clear();
    inFlight++;
    lastStartNanos = System.nanoTime();
    Future<?> written;
    try {
      written = writeBatch.apply(batch);
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(done -> {
      inFlight--;
      scheduleFlush();
    });
    scheduleFlush();
  }
}
