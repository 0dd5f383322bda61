package io.sagabus.platform.resilience;

import io.vertx.core.Future;

/**
 * One attempt of a protected call. It is told how many milliseconds remain before the call's deadline and must
 * finish by then, typically by using them as the event-bus send timeout, which spares the stack a timer of its own.
 */
@FunctionalInterface
public interface TimedOperation<T> {

  Future<T> attempt(long remainingMs);
}
