package io.sagabus.gateway;

import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.ids.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Places orders that run choreographed: the order service publishes {@code order-placed} and the services take it
 * from there. There is no saga to follow, so the answer points at the order ({@code Location: /api/orders/{id}}),
 * and {@code ?wait=} watches the order until it is completed or cancelled.
 */
final class ChoreographedOrders {

  static final long POLL_INTERVAL_MS = 50;
  private static final List<String> FINAL = List.of("COMPLETED", "CANCELLED");
  private static final List<String> ORDER_FIELDS = List.of("customerId", "items", "paymentMethod", "shippingAddress");

  private final Vertx vertx;

  ChoreographedOrders(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * With an {@code Idempotency-Key} the flow and order ids derive from it, so a replay is the same placement: the
   * order-placed event gets the same id and the order service creates the order once. A replay with another body is
   * refused once the order exists.
   */
  void place(RoutingContext ctx, JsonObject input, long waitMs, String idempotencyKey, Optional<String> traceparent) {
    String flowId;
    String orderId;
    if (idempotencyKey == null) {
      String id = Ids.next();
      flowId = "flow-" + id;
      orderId = "ord-" + id;
    } else {
      String derived = UUID.nameUUIDFromBytes(idempotencyKey.getBytes(StandardCharsets.UTF_8)).toString();
      flowId = "flow-" + derived;
      orderId = "ord-" + derived;
    }
    JsonObject placement = input.copy().put("sagaId", flowId).put("orderId", orderId);
    traceparent.ifPresent(trace -> placement.put(TraceparentHeader.NAME, trace));
    sameOrNew(orderId, input, idempotencyKey != null)
        .compose(ignored -> request(OrderAddresses.PLACE, placement))
        .compose(placed -> waitMs > 0 ? awaitEnd(orderId, System.currentTimeMillis() + waitMs, placed) : Future.succeededFuture(placed))
        .onSuccess(view -> {
          boolean ended = FINAL.contains(view.getString("status"));
          ctx.response()
              .setStatusCode(ended && waitMs > 0 ? 200 : 202)
              .putHeader("Location", "/api/orders/" + orderId)
              .putHeader("Content-Type", "application/json")
              .end(view.put("sagaId", flowId).put("orderId", orderId).put("mode", "choreography").encode());
        })
        .onFailure(failure -> SagaApiRoutes.placementFailed(ctx, failure, "order"));
  }

  /** Fails with CONFLICT when a replayed key's order exists with another body. */
  private Future<Void> sameOrNew(String orderId, JsonObject input, boolean replayable) {
    if (!replayable) {
      return Future.succeededFuture();
    }
    return order(orderId).compose(existing -> {
      if (existing != null && ORDER_FIELDS.stream().anyMatch(field -> !input.getValue(field).equals(existing.getValue(field)))) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.CONFLICT,
            "the Idempotency-Key was used with another request"));
      }
      return Future.succeededFuture();
    });
  }

  /** Polls the order until it ends or the deadline passes; an order not created yet is still pending. */
  private Future<JsonObject> awaitEnd(String orderId, long deadline, JsonObject pending) {
    return order(orderId).compose(current -> {
      JsonObject view = current == null ? pending : current;
      if (FINAL.contains(view.getString("status")) || System.currentTimeMillis() >= deadline) {
        return Future.succeededFuture(view);
      }
      return vertx.timer(POLL_INTERVAL_MS).compose(tick -> awaitEnd(orderId, deadline, view));
    });
  }

  /** The order, or null when the order service does not know it (yet). */
  private Future<JsonObject> order(String orderId) {
    return request(OrderAddresses.GET, new JsonObject().put("orderId", orderId)).recover(failure -> {
      if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && reply.failureCode() == FailureCodes.NOT_FOUND) {
        return Future.succeededFuture(null);
      }
      return Future.failedFuture(failure);
    });
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(SagaApiRoutes.SERVICE_TIMEOUT_MS))
        .map(Message::body);
  }
}
