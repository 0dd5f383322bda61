package io.sagabus.orderview;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events of each order aggregate, numbered 1, 2, 3... by aggregate version. Appends are optimistic: the writer
 * says which version it read, and an append that would not follow it exactly is refused; the writer re-reads and
 * tries again, so two writers never lose each other's events. An event whose id is already stored is skipped, so
 * redelivered events are harmless. Both writes and version reads take many orders at once, so a batch of the stream
 * costs the same few round trips whatever the number of orders in it.
 */
interface OrderEventStore {

  record Stored(long version, DomainEvent event) {}

  /** One order's part of an {@link #append}: its events, to follow version {@code expectedVersion}. */
  record Append(String orderId, long expectedVersion, List<DomainEvent> events) {}

  Future<Void> start();

  /** Each order's version: how many events it holds (0 for an order never seen). */
  Future<Map<String, Long>> versions(Collection<String> orderIds);

  /** Every event of the order, oldest first. */
  Future<List<Stored>> read(String orderId);

  /**
   * Appends each order's events not stored yet as versions {@code expectedVersion + 1...}, and answers each order's
   * new version. An order no longer at its {@code expectedVersion} changes nothing and is left out of the answer:
   * that is the conflict its writer re-reads for. An order whose events are all stored already changes nothing and
   * answers its current version. Of two concurrent appends to one order at one version, at most one wins. An order
   * appears at most once in {@code appends}.
   */
  Future<Map<String, Long>> append(List<Append> appends);

  /** The order that appears twice in {@code appends}, which {@link #append} refuses; null when none does. */
  static String repeatedOrder(List<Append> appends) {
    Set<String> seen = new HashSet<>();
    for (Append append : appends) {
      if (!seen.add(append.orderId())) {
        return append.orderId();
      }
    }
    return null;
  }

  static IllegalArgumentException repeated(String orderId) {
    return new IllegalArgumentException("order " + orderId + " appears twice in one append");
  }
}
