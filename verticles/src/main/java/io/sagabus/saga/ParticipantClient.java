package io.sagabus.saga;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The one seam through which the engine calls participants. The default sends an event-bus request; a resilience
 * stack (circuit breakers, bulkheads) wraps or replaces it without touching the engine. A failure should be the
 * {@link io.vertx.core.eventbus.ReplyException} of the call, so retry policies can tell timeouts from refusals.
 */
public interface ParticipantClient {

  Future<JsonObject> call(String address, JsonObject command, Duration timeout);

  /** Whether {@code failure} means the call was refused unattempted because the participant's circuit is open. */
  default boolean refusedByOpenCircuit(Throwable failure) {
    return false;
  }

  /**
   * Completes when calls to the participant behind {@code address} are worth trying again (its circuit left the
   * open state), or after {@code maxWait}, whichever comes first. Never fails.
   */
  default Future<Void> whenAvailable(String address, Duration maxWait) {
    return Future.succeededFuture();
  }

  /** The service an address belongs to: {@code payment.charge} belongs to {@code payment}. */
  static String serviceOf(String address) {
    int dot = address.indexOf('.');
    return dot < 0 ? address : address.substring(0, dot);
  }
}
