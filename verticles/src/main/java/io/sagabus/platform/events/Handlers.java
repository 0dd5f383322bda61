package io.sagabus.platform.events;

import io.vertx.core.Future;
import java.util.function.Function;

/** Calling a subscriber's handler the way every adapter does. */
final class Handlers {

  private Handlers() {}

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
