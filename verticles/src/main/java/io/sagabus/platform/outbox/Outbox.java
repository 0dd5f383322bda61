package io.sagabus.platform.outbox;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Domain events written in the same transaction (or event-loop turn) as the state change they describe, waiting for
 * a relay to publish them. The outbox is split into {@link #partitions()} partitions by the event key's hash, so a
 * key's events stay in one partition, in id order. A relay publishes a partition only while it holds that
 * partition's {@link Lease}, and at most one lease per partition is held at a time.
 */
public interface Outbox {

  /** What the outbox holds that was not published yet. */
  record Backlog(long pending, long oldestAgeMs) {}

  /** Names the outbox in metrics and health details. */
  String name();

  int partitions();

  /** A claim on one partition; it publishes nothing until {@link Lease#tryAcquire()} succeeds. */
  Lease lease(int partition);

  Future<Backlog> backlog();

  /**
   * Calls {@code appended} with a partition's number soon after events were appended to it: after the appending
   * event-loop turn (memory) or once the appending transaction committed (PostgreSQL, from any node). A signal may
   * be spurious or repeated, and may be lost (a listener reconnecting is told about every partition once it is back),
   * so a relay still polls as a safety net. Completes once signals flow; its value stops them.
   */
  Future<Subscription> onAppended(IntConsumer appended);

  /** Stops the signals of one {@link #onAppended} call. */
  interface Subscription {
    Future<Void> cancel();
  }

  /** The right to publish one partition. Not thread-safe: one relay loop uses it. */
  interface Lease {

    int partition();

    /** True when this lease now holds its partition: it already did, or the partition was free and is taken now. */
    Future<Boolean> tryAcquire();

    /** The partition's oldest unpublished entries, in id order; fails when the lease no longer holds the partition. */
    Future<List<OutboxEntry>> next(int limit);

    /** Forgets entries that were published. */
    Future<Void> sent(List<OutboxEntry> entries);

    /** Gives the partition up. */
    Future<Void> close();
  }

  static int partitionOf(String key, int partitions) {
    return Math.floorMod(key.hashCode(), partitions);
  }
}
