package io.sagabus.shipping;

import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.ids.Ids;
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
import java.util.function.Function;

/**
 * Shipments kept in the verticle's memory: for a single node, tests and demos. Lost on restart. Events go to the
 * memory outbox in the same event-loop turn as the change. A shipment is kept as its JSON text, a quarter of the heap
 * of a map.
 */
final class MemoryShipping implements ShippingBook {

  private final Map<String, String> shipments = new HashMap<>();
  private final StepLedger ledger;
  private final MemoryOutbox outbox;

  MemoryShipping(Vertx vertx, Faults faults, MemoryOutbox outbox) {
    this.ledger = new StepLedger(vertx, faults);
    this.outbox = outbox;
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
      String shipmentId = "sh-" + Ids.next();
      shipments.put(shipmentId, new JsonObject().put("shipmentId", shipmentId).put("orderId", command.getString("orderId"))
          .put("address", command.getJsonObject("shippingAddress")).put("status", "CREATED").encode());
      outbox.append(List.of(StepEvents.of(EventTopics.SHIPMENT_CREATED, command, ShippingEvents.created(command, shipmentId))));
      return Future.succeededFuture(new JsonObject().put("shipmentId", shipmentId));
    });
  }

  @Override
  public void cancel(Message<JsonObject> message) {
    ledger.compensate(message, "cancel", (command, created) -> {
      String shipment = shipments.get(created.getString("shipmentId"));
      if (shipment != null) {
        shipments.put(created.getString("shipmentId"), new JsonObject(shipment).put("status", "CANCELLED").encode());
        outbox.append(List.of(StepEvents.of(EventTopics.SHIPMENT_CANCELLED, command, ShippingEvents.cancelled(command, created.getString("shipmentId")))));
      }
      return Future.succeededFuture(new JsonObject().put("shipmentStatus", "CANCELLED"));
    });
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }
}
