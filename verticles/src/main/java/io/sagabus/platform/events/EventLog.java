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

  Future<Void> close();
}
