package io.sagabus.node;

import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.resilience.ResilientCaller;
import io.sagabus.platform.resilience.TimedOperation;
import io.sagabus.saga.ParticipantClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Saga participant calls through the node's resilience stack, one circuit per service (the address prefix before
 * the first dot). Opt-in with {@code saga.resilientParticipants: true}. A call the stack refuses without attempting
 * it (open circuit, full bulkhead) reaches the engine as a 503 recipient failure: the participant never saw it.
 */
final class ResilientParticipantClient implements ParticipantClient {

  private final Vertx vertx;
  private final ResilientCaller caller;

  ResilientParticipantClient(Vertx vertx, ResilientCaller caller) {
    this.vertx = vertx;
    this.caller = caller;
  }

  @Override
  public Future<JsonObject> call(String address, JsonObject command, Duration timeout) {
    int dot = address.indexOf('.');
    String service = dot < 0 ? address : address.substring(0, dot);
    TimedOperation<Message<JsonObject>> attempt = remainingMs -> vertx.eventBus().request(address, command,
        new DeliveryOptions().setSendTimeout(Math.max(1, Math.min(remainingMs, timeout.toMillis()))));
    return caller.call(service, attempt)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException ? failure
            : new ReplyException(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.UNAVAILABLE, failure.getMessage())));
  }
}
