package io.sagabus.shipping;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.ids.Ids;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.PgStepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;

/**
 * Shipments in PostgreSQL ({@code <prefix>shipments}), changed in the same transaction as the step ledger row and the
 * outbox rows of the events the change raises.
 */
final class PostgresShipping implements ShippingBook {

  private final Pool pool;
  private final String shipments;
  private final PgStepLedger ledger;
  private final PgOutbox outbox;

  PostgresShipping(Vertx vertx, Pool pool, String prefix, Faults faults, PgOutbox outbox) {
    this.pool = pool;
    this.outbox = outbox;
    this.shipments = prefix + "shipments";
    this.ledger = new PgStepLedger(vertx, pool, prefix + "shipping_steps", faults, outbox);
  }

  @Override
  public Future<Void> start() {
    return PgSchema.migrate(pool, List.of(
        "CREATE TABLE IF NOT EXISTS " + shipments + " (shipment_id text PRIMARY KEY, order_id text NOT NULL, saga_id text NOT NULL, "
            + "status text NOT NULL, address jsonb NOT NULL)",
        ledger.createTableSql())).compose(ignored -> outbox.start());
  }

  @Override
  public void create(Message<JsonObject> message, Function<JsonObject, String> checkAddress) {
    ledger.invoke(message, "create", (conn, command) -> {
      String refusal = checkAddress.apply(command.getJsonObject("shippingAddress"));
      if (refusal != null) {
        return Future.failedFuture(StepRejected.rejected(refusal));
      }
      String shipmentId = "sh-" + Ids.next();
      return conn.preparedQuery("INSERT INTO " + shipments + " (shipment_id, order_id, saga_id, status, address) VALUES ($1, $2, $3, 'CREATED', $4)")
          .execute(Tuple.of(shipmentId, command.getString("orderId"), command.getString("sagaId"), command.getJsonObject("shippingAddress")))
          .compose(ignored -> outbox.append(conn, List.of(StepEvents.of(EventTopics.SHIPMENT_CREATED, command,
              ShippingEvents.created(command, shipmentId)))))
          .map(new JsonObject().put("shipmentId", shipmentId));
    });
  }

  @Override
  public void cancel(Message<JsonObject> message) {
    ledger.compensate(message, "cancel", (conn, command, created) -> conn.preparedQuery(
            "UPDATE " + shipments + " SET status = 'CANCELLED' WHERE shipment_id = $1")
        .execute(Tuple.of(created.getString("shipmentId")))
        .compose(rows -> rows.rowCount() == 0 ? Future.<Void>succeededFuture() : outbox.append(conn,
            List.of(StepEvents.of(EventTopics.SHIPMENT_CANCELLED, command, ShippingEvents.cancelled(command, created.getString("shipmentId"))))))
        .map(new JsonObject().put("shipmentStatus", "CANCELLED")));
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }
}
