package io.sagabus.platform.events;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading events and calling a subscriber's handler the way every adapter does. */
final class Handlers {

  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);

  private Handlers() {}

  /**
   * The event in {@code envelope}, or null with a warning when it cannot be read: redelivering it would stop its
   * partition for good, so a log skips it.
   */
  static DomainEvent readOrSkip(String envelope, String topic, int partition, long offset) {
    try {
      return DomainEvent.fromJson(new JsonObject(envelope));
    } catch (IllegalArgumentException | DecodeException | NullPointerException e) {
      LOG.warn("skipping unreadable event at {}-{}@{}: {}", topic, partition, offset, e.toString());
      return null;
    }
  }

  /** The handler's future for {@code input}; a handler that throws or answers no future has failed. */
  static <T> Future<Void> call(Function<T, Future<Void>> handler, T input) {
    try {
      Future<Void> handled = handler.apply(input);
      return handled == null ? Future.failedFuture("handler returned no future") : handled;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
