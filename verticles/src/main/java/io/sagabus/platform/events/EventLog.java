package io.sagabus.platform.events;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The log domain events are published to and consumed from: Kafka, or the embedded log when no Kafka is configured.
 * Both adapters pass the same contract tests. Order is kept per key (orderId).
 */
public interface EventLog {

  /** Where a consumer group without committed offsets starts. */
  enum StartFrom { EARLIEST, LATEST }

  /**
   * The most events one batch of {@link #subscribeBatch} holds. Large, so a projection that fell behind catches up in
   * few transactions; a projection keeping up gets what arrived during its previous batch, usually far fewer.
   */
  int MAX_BATCH = 10_000;

  /** A running subscription; closing it stops delivery after the event in hand. */
  interface Subscription {
    Future<Void> close();
  }

  /**
   * Publishes the events in list order (order matters per key) and completes once every one is durable in the log.
   * A failure means some may have been published: callers retry, and consumers dedupe by eventId.
   */
  Future<Void> publish(List<DomainEvent> events);

  /** {@link #publish} for envelopes an outbox holds already encoded; a log that can ships them as they are. */
  default Future<Void> publishEncoded(List<EncodedEvent> events) {
    try {
      return publish(events.stream().map(EncodedEvent::decode).toList());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Delivers the topics' events to {@code handler} at least once, one at a time per key, in log order per key;
   * different keys may be handled at the same time. The group's position moves past an event only after the handler's
   * future succeeds; a failed handler gets the event again after a back-off, and events after it may come again too.
   */
  Future<Subscription> subscribe(String group, Collection<String> topics, StartFrom startFrom,
      Function<DomainEvent, Future<Void>> handler);

  /**
   * Delivers the topics' events to {@code handler} at least once in batches of up to {@link #MAX_BATCH}, in log order
   * per key inside a batch and from one batch to the next, so a handler can do one transaction's work for many
   * events. Kafka hands over a whole poll, one batch at a time; the embedded log one partition's pending run, its
   * partitions side by side. The group's position moves past a batch only after the handler's future succeeds; when
   * it fails nothing of the batch counts as handled, and its events come again after a back-off (possibly in other
   * batches, with events that were not in it).
   */
  Future<Subscription> subscribeBatch(String group, Collection<String> topics, StartFrom startFrom,
      Function<List<DomainEvent>, Future<Void>> handler);

  Future<Void> close();
}
