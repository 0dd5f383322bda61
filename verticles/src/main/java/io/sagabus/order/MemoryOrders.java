package io.sagabus.order;

import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.outbox.MemoryOutbox;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders kept in the verticle's memory: for a single node, tests and demos. Lost on restart. Events go to the
 * memory outbox in the same event-loop turn as the change. An order is kept as its JSON text, a quarter of the heap
 * of a map, since a busy node's young collections copy every byte it keeps.
 */
final class MemoryOrders implements OrderBook {

  private final Map<String, String> orders = new HashMap<>();
  private final StepLedger ledger;
  private final MemoryOutbox outbox;

  MemoryOrders(Vertx vertx, Faults faults, MemoryOutbox outbox) {
    this.ledger = new StepLedger(vertx, faults);
    this.outbox = outbox;
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public void create(Message<JsonObject> message) {
    ledger.invoke(message, "create", command -> {
      JsonObject order = Orders.newOrder(command);
      JsonObject existing = order(order.getString("orderId"));
      if (existing != null && !existing.getString("sagaId").equals(order.getString("sagaId"))) {
        throw StepRejected.rejected("order " + order.getString("orderId") + " belongs to another saga");
      }
      orders.put(order.getString("orderId"), order.encode());
      outbox.append(List.of(StepEvents.of(EventTopics.ORDER_CREATED, command, Orders.created(order))));
      return Future.succeededFuture(new JsonObject().put("orderId", order.getString("orderId")));
    });
  }

  @Override
  public void complete(Message<JsonObject> message) {
    ledger.invoke(message, "complete", command -> {
      JsonObject order = order(command.getString("orderId"));
      if (order == null) {
        throw StepRejected.rejected("unknown order " + command.getString("orderId"));
      }
      if ("CANCELLED".equals(order.getString("status"))) {
        throw StepRejected.rejected("order " + order.getString("orderId") + " is cancelled");
      }
      orders.put(order.getString("orderId"), order.put("status", "COMPLETED").put("amount", command.getLong("amount")).encode());
      outbox.append(List.of(StepEvents.of(EventTopics.ORDER_COMPLETED, command,
          new JsonObject().put("orderId", order.getString("orderId")).put("amount", command.getLong("amount")))));
      return Future.succeededFuture(new JsonObject().put("orderId", order.getString("orderId")).put("orderStatus", "COMPLETED"));
    });
  }

  @Override
  public void cancel(Message<JsonObject> message) {
    ledger.compensate(message, "cancel", (command, created) -> {
      JsonObject order = order(created.getString("orderId"));
      if (order != null) {
        orders.put(order.getString("orderId"), order.put("status", "CANCELLED").encode());
        outbox.append(List.of(StepEvents.of(EventTopics.ORDER_CANCELLED, command, new JsonObject().put("orderId", order.getString("orderId")))));
      }
      return Future.succeededFuture(new JsonObject().put("orderStatus", "CANCELLED"));
    });
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  @Override
  public Future<JsonObject> get(String orderId) {
    return Future.succeededFuture(order(orderId));
  }

  /** The order decoded afresh, or null. */
  private JsonObject order(String orderId) {
    String order = orders.get(orderId);
    return order == null ? null : new JsonObject(order);
  }
}
