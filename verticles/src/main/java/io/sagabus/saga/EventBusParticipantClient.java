package io.sagabus.saga;

import io.sagabus.platform.participant.HandedOverJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Calls a participant with an event-bus request whose send timeout is the step's timeout. */
public final class EventBusParticipantClient implements ParticipantClient {

  private final Vertx vertx;

  public EventBusParticipantClient(Vertx vertx) {
    this.vertx = vertx;
    HandedOverJson.registerOn(vertx);
  }

  @Override
  public Future<JsonObject> call(String address, JsonObject command, Duration timeout) {
    return vertx.eventBus().<JsonObject>request(address, command, HandedOverJson.options().setSendTimeout(timeout.toMillis()))
        .map(Message::body);
  }
}
