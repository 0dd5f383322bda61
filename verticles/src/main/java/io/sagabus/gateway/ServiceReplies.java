package io.sagabus.gateway;

import io.sagabus.platform.http.Problems;
import io.sagabus.platform.http.ReplyProblems;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.UnaryOperator;

/** The gateway's one way to answer an HTTP request with a service's reply: its JSON, or the failure as a problem. */
final class ServiceReplies {

  private ServiceReplies() {}

  static void relay(Vertx vertx, RoutingContext ctx, String service, String address, JsonObject body, long timeoutMs) {
    relay(vertx, ctx, service, address, body, timeoutMs, UnaryOperator.identity());
  }

  static void relay(Vertx vertx, RoutingContext ctx, String service, String address, JsonObject body, long timeoutMs,
      UnaryOperator<JsonObject> shape) {
    vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body)
        .onSuccess(reply -> ctx.json(shape.apply(reply)))
        .onFailure(failure -> Problems.send(ctx, ReplyProblems.from(failure, service)));
  }
}
