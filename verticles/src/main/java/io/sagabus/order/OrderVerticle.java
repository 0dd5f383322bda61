package io.sagabus.order;

import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Owns orders: created pending by a saga, then completed or cancelled by it. */
public final class OrderVerticle extends VerticleBase {

  private final ConfigReader config;
  private final Map<String, JsonObject> orders = new HashMap<>();
  private StepLedger ledger;

  public OrderVerticle(ConfigReader orderConfig) {
    this.config = orderConfig;
  }

  @Override
  public Future<?> start() {
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    ledger = new StepLedger(vertx, faults);
    var bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(OrderAddresses.CREATE, m -> ledger.invoke(m, "create", this::create)).completion(),
        bus.<JsonObject>consumer(OrderAddresses.COMPLETE, m -> ledger.invoke(m, "complete", this::complete)).completion(),
        bus.<JsonObject>consumer(OrderAddresses.CANCEL, m -> ledger.compensate(m, "cancel", this::cancel)).completion(),
        bus.<JsonObject>consumer(OrderAddresses.STATUS, ledger::status).completion(),
        bus.<JsonObject>consumer(OrderAddresses.GET, this::get).completion(),
        faults.listen(vertx, OrderAddresses.FAULTS)));
  }

  private Future<JsonObject> create(JsonObject command) {
    String orderId = command.getString("orderId");
    if (orderId == null || command.getString("customerId") == null || command.getJsonArray("items") == null) {
      throw StepRejected.badRequest("orderId, customerId and items are required");
    }
    JsonObject existing = orders.get(orderId);
    if (existing != null && !existing.getString("sagaId").equals(command.getString("sagaId"))) {
      throw StepRejected.rejected("order " + orderId + " belongs to another saga");
    }
    JsonObject order = new JsonObject()
        .put("orderId", orderId)
        .put("sagaId", command.getString("sagaId"))
        .put("customerId", command.getString("customerId"))
        .put("items", command.getJsonArray("items").copy())
        .put("paymentMethod", command.getString("paymentMethod"))
        .put("shippingAddress", command.getValue("shippingAddress"))
        .put("status", "PENDING")
        .put("createdAt", Instant.now().toString());
    orders.put(orderId, order);
    return Future.succeededFuture(new JsonObject().put("orderId", orderId));
  }

  private Future<JsonObject> complete(JsonObject command) {
    JsonObject order = orders.get(command.getString("orderId"));
    if (order == null) {
      throw StepRejected.rejected("unknown order " + command.getString("orderId"));
    }
    if ("CANCELLED".equals(order.getString("status"))) {
      throw StepRejected.rejected("order " + order.getString("orderId") + " is cancelled");
    }
    order.put("status", "COMPLETED").put("amount", command.getLong("amount"));
    return Future.succeededFuture(new JsonObject().put("orderId", order.getString("orderId")).put("orderStatus", "COMPLETED"));
  }

  private Future<JsonObject> cancel(JsonObject command, JsonObject created) {
    JsonObject order = orders.get(created.getString("orderId"));
    if (order != null) {
      order.put("status", "CANCELLED");
    }
    return Future.succeededFuture(new JsonObject().put("orderStatus", "CANCELLED"));
  }

  private void get(Message<JsonObject> message) {
    String orderId = message.body() == null ? null : message.body().getString("orderId");
    JsonObject order = orderId == null ? null : orders.get(orderId);
    if (order == null) {
      message.fail(FailureCodes.NOT_FOUND, "unknown order '" + orderId + "'");
      return;
    }
    message.reply(order.copy());
  }
}
