package io.sagabus.saga;

import io.sagabus.platform.participant.HandedOverJson;
import io.sagabus.platform.resilience.CircuitListener;
import io.sagabus.platform.resilience.CircuitOpenException;
import io.sagabus.platform.resilience.CircuitState;
import io.sagabus.platform.resilience.ResilientCaller;
import io.sagabus.platform.resilience.TimedOperation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Calls participants through the node's resilience stack (bulkhead, circuit breaker, timeout, retry), one stack per
 * service: {@code payment.charge} goes through the {@code payment} stack. The step's timeout caps each call.
 */
public final class ResilientParticipantClient implements ParticipantClient {

  /** A safety net only: a parked saga is normally woken by the circuit's state change. */
  private static final long RECHECK_MS = 2_000;

  private final Vertx vertx;
  private final ResilientCaller caller;

  public ResilientParticipantClient(Vertx vertx, ResilientCaller caller) {
    this.vertx = vertx;
    this.caller = caller;
    HandedOverJson.registerOn(vertx);
  }

  @Override
  public Future<JsonObject> call(String address, JsonObject command, Duration timeout) {
    TimedOperation<Message<JsonObject>> request = remainingMs -> vertx.eventBus()
        .request(address, command, HandedOverJson.options().setSendTimeout(Math.max(1, Math.min(remainingMs, timeout.toMillis()))));
    return caller.call(ParticipantClient.serviceOf(address), request).map(Message::body);
  }

  @Override
  public boolean refusedByOpenCircuit(Throwable failure) {
    return failure instanceof CircuitOpenException;
  }

  @Override
  public Future<Void> whenAvailable(String address, Duration maxWait) {
    String target = ParticipantClient.serviceOf(address);
    Context context = vertx.getOrCreateContext();
    Promise<Void> ready = Promise.promise();
    CircuitListener listener = (changed, from, to) -> {
      if (changed.equals(target) && to != CircuitState.OPEN) {
        context.runOnContext(ignored -> ready.tryComplete());
      }
    };
    caller.onStateChange(listener);
    long timer = vertx.setTimer(Math.max(1, Math.min(maxWait.toMillis(), RECHECK_MS)), id -> ready.tryComplete());
    return ready.future().onComplete(ignored -> {
      caller.removeListener(listener);
      vertx.cancelTimer(timer);
    });
  }
}
