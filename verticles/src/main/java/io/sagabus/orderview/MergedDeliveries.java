package io.sagabus.orderview;

import io.sagabus.platform.backend.GroupCommitQueue;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A projection's writer for deliveries from the event log: deliveries that arrive while one write is in flight go
 * together into the next write. The log delivers each topic's batches on their own, so without this a projection of
 * every topic wrote one small transaction per topic batch, several at once for the same orders.
 *
 * <p>Writes start at most once per {@code writeIntervalMs} (the first after a quiet spell at once). An order's events
 * come one step of its saga at a time; held together a little, they fold into its view in one write instead of one
 * each, and the view, rewritten whole, is written less often.
 */
final class MergedDeliveries {

  /** Deliveries merged into one write. */
  static final int MAX_DELIVERIES_PER_WRITE = 64;

  /** One delivery and what its subscription waits for; the writer completes it. */
  record Delivery(List<DomainEvent> events, Promise<Void> written) {}

  private final GroupCommitQueue<Delivery> queue;

  /** {@code write} gets the merged deliveries, in arrival order, and completes each one's promise. */
  MergedDeliveries(Vertx vertx, long writeIntervalMs, Function<List<Delivery>, Future<?>> write) {
    this.queue = new GroupCommitQueue<>(vertx, MAX_DELIVERIES_PER_WRITE, 1, writeIntervalMs, write);
  }

  /** Completes once the write that carried {@code events} did. */
  Future<Void> write(List<DomainEvent> events) {
    Delivery delivery = new Delivery(events, Promise.promise());
    queue.add(delivery);
    return delivery.written().future();
  }

  /** Every event of the deliveries, in arrival order. */
  static List<DomainEvent> eventsOf(List<Delivery> deliveries) {
    List<DomainEvent> events = new ArrayList<>();
    deliveries.forEach(delivery -> events.addAll(delivery.events()));
    return events;
  }
}
