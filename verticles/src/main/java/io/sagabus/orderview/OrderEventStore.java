package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * The events of each order aggregate, numbered 1, 2, 3... by aggregate version. Appends are optimistic: the writer
 * says which version it read, and an append that would not follow it exactly is refused with
 * {@link VersionConflict}; the writer re-reads and tries again, so two writers never lose each other's events.
 * An event whose id is already stored is skipped, so redelivered events are harmless.
 */
interface OrderEventStore {

  record Stored(long version, DomainEvent event) {}

  /** An append expected a version the aggregate has moved past. Re-read the version and append again. */
  final class VersionConflict extends RuntimeException {
    final String orderId;
    final long expected;

    VersionConflict(String orderId, long expected, String actual) {
      super("order " + orderId + " is at version " + actual + ", not the expected " + expected + "; re-read and retry", null, false, false);
      this.orderId = orderId;
      this.expected = expected;
    }
  }

  Future<Void> start();

  /** The aggregate's version: how many events it holds (0 for an order never seen). */
  Future<Long> version(String orderId);

  /** Every event of the order, oldest first. */
  Future<List<Stored>> read(String orderId);

  /**
   * Appends the events not stored yet as versions {@code expectedVersion + 1...} and answers the new version. Fails
   * with {@link VersionConflict} when the aggregate is no longer at {@code expectedVersion}. When every event is
   * already stored, nothing changes and the current version is the answer.
   */
  Future<Long> append(String orderId, long expectedVersion, List<DomainEvent> events);
}
