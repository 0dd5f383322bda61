package io.sagabus.shipping;

import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Shipments kept in the verticle's memory: for a single node, tests and demos. Lost on restart. */
final class MemoryShipping implements ShippingBook {

  private final Map<String, JsonObject> shipments = new HashMap<>();
  private final StepLedger ledger;

  MemoryShipping(Vertx vertx, Faults faults) {
    this.ledger = new StepLedger(vertx, faults);
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public void create(Message<JsonObject> message, Function<JsonObject, String> checkAddress) {
    ledger.invoke(message, "create", command -> {
      String refusal = checkAddress.apply(command.getJsonObject("shippingAddress"));
      if (refusal != null) {
        throw StepRejected.rejected(refusal);
      }
      String shipmentId = "sh-" + UUID.randomUUID();
      shipments.put(shipmentId, new JsonObject().put("shipmentId", shipmentId).put("orderId", command.getString("orderId"))
          .put("address", command.getJsonObject("shippingAddress").copy()).put("status", "CREATED"));
      return Future.succeededFuture(new JsonObject().put("shipmentId", shipmentId));
    });
  }

  @Override
  public void cancel(Message<JsonObject> message) {
    ledger.compensate(message, "cancel", (command, created) -> {
      JsonObject shipment = shipments.get(created.getString("shipmentId"));
      if (shipment != null) {
        shipment.put("status", "CANCELLED");
      }
      return Future.succeededFuture(new JsonObject().put("shipmentStatus", "CANCELLED"));
    });
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }
}
