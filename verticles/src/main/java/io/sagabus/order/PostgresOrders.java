package io.sagabus.order;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.PgStepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Orders in PostgreSQL ({@code <prefix>orders}), changed in the same transaction as the step ledger row and the
 * outbox rows of the events the change raises.
 */
final class PostgresOrders implements OrderBook {

  private final Pool pool;
  private final String orders;
  private final PgStepLedger ledger;
  private final PgOutbox outbox;

  PostgresOrders(Vertx vertx, Pool pool, String prefix, Faults faults, PgOutbox outbox) {
    this.pool = pool;
    this.outbox = outbox;
    this.orders = prefix + "orders";
    this.ledger = new PgStepLedger(vertx, pool, prefix + "order_steps", faults, outbox);
  }

  @Override
  public Future<Void> start() {
    List<String> ddl = List.of(
        "CREATE TABLE IF NOT EXISTS " + orders + " (order_id text PRIMARY KEY, saga_id text NOT NULL, status text NOT NULL, "
            + "amount bigint, doc jsonb NOT NULL)",
        ledger.createTableSql());
    return PgSchema.migrate(pool, ddl).compose(ignored -> outbox.start());
  }

  @Override
  public void create(Message<JsonObject> message) {
    ledger.invoke(message, "create", (conn, command) -> {
      JsonObject order = Orders.newOrder(command);
      return conn.preparedQuery("INSERT INTO " + orders + " (order_id, saga_id, status, doc) VALUES ($1, $2, 'PENDING', $3) "
              + "ON CONFLICT (order_id) DO NOTHING")
          .execute(Tuple.of(order.getString("orderId"), order.getString("sagaId"), order))
          .compose(rows -> rows.rowCount() == 1
              ? outbox.append(conn, List.of(StepEvents.of(EventTopics.ORDER_CREATED, command, Orders.created(order))))
                  .map(new JsonObject().put("orderId", order.getString("orderId")))
              : Future.failedFuture(StepRejected.rejected("order " + order.getString("orderId") + " belongs to another saga")));
    });
  }

  @Override
  public void complete(Message<JsonObject> message) {
    ledger.invoke(message, "complete", (conn, command) -> conn.preparedQuery(
            "UPDATE " + orders + " SET status = 'COMPLETED', amount = $2 WHERE order_id = $1 AND status <> 'CANCELLED'")
        .execute(Tuple.of(command.getString("orderId"), command.getLong("amount")))
        .compose(rows -> rows.rowCount() == 1
            ? outbox.append(conn, List.of(StepEvents.of(EventTopics.ORDER_COMPLETED, command,
                    new JsonObject().put("orderId", command.getString("orderId")).put("amount", command.getLong("amount")))))
                .map(new JsonObject().put("orderId", command.getString("orderId")).put("orderStatus", "COMPLETED"))
            : Future.failedFuture(StepRejected.rejected("order " + command.getString("orderId") + " is unknown or cancelled"))));
  }

  @Override
  public void cancel(Message<JsonObject> message) {
    ledger.compensate(message, "cancel", (conn, command, created) -> conn.preparedQuery(
            "UPDATE " + orders + " SET status = 'CANCELLED' WHERE order_id = $1")
        .execute(Tuple.of(created.getString("orderId")))
        .compose(rows -> rows.rowCount() == 0 ? Future.<Void>succeededFuture() : outbox.append(conn,
            List.of(StepEvents.of(EventTopics.ORDER_CANCELLED, command, new JsonObject().put("orderId", created.getString("orderId"))))))
        .map(new JsonObject().put("orderStatus", "CANCELLED")));
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  @Override
  public Future<JsonObject> get(String orderId) {
    return pool.preparedQuery("SELECT doc, status, amount FROM " + orders + " WHERE order_id = $1").execute(Tuple.of(orderId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          JsonObject order = row.getJsonObject("doc").put("status", row.getString("status"));
          if (row.getLong("amount") != null) {
            order.put("amount", row.getLong("amount"));
          }
          return order;
        });
  }
}
