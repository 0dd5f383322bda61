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
}
