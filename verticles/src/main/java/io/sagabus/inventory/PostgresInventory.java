package io.sagabus.inventory;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stock in PostgreSQL, shared by every node: {@code <prefix>inventory_stock} per SKU and
 * {@code <prefix>inventory_reservations} per saga and SKU, changed in the same transaction as the step ledger row.
 * A reservation decrements {@code available} only {@code WHERE available >= qty}, so stock never goes negative.
 * The events a change raises go to the outbox in the same transaction.
 */
final class PostgresInventory implements InventoryBook {

  private final Pool pool;
  private final String stock;
  private final String reservations;
  private final PgStepLedger ledger;
  private final PgOutbox outbox;

  PostgresInventory(Vertx vertx, Pool pool, String prefix, Faults faults, PgOutbox outbox) {
    this.pool = pool;
    this.outbox = outbox;
    this.stock = prefix + "inventory_stock";
    this.reservations = prefix + "inventory_reservations";
    this.ledger = new PgStepLedger(vertx, pool, prefix + "inventory_steps", faults, outbox);
  }

  @Override
  public Future<Void> start(List<SeedSku> seed) {
    List<String> ddl = List.of(
        "CREATE TABLE IF NOT EXISTS " + stock + " (sku text PRIMARY KEY, available bigint NOT NULL, reserved bigint NOT NULL, "
            + "sold bigint NOT NULL, price bigint NOT NULL, CHECK (available >= 0 AND reserved >= 0 AND sold >= 0))",
        "CREATE TABLE IF NOT EXISTS " + reservations + " (saga_id text NOT NULL, sku text NOT NULL, qty bigint NOT NULL, "
            + "sold boolean NOT NULL, PRIMARY KEY (saga_id, sku))",
        ledger.createTableSql());
    List<Tuple> rows = seed.stream().map(item -> Tuple.of(item.sku(), item.stock(), item.price())).toList();
    return PgSchema.migrate(pool, ddl, conn -> rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
        "INSERT INTO " + stock + " (sku, available, reserved, sold, price) VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING")
        .executeBatch(rows).mapEmpty()).compose(ignored -> outbox.start());
  }

  @Override
  public void reserve(Message<JsonObject> message) {
    ledger.invoke(message, "reserve", this::reserve);
  }

  @Override
  public void release(Message<JsonObject> message) {
    ledger.compensate(message, "release", (conn, command, result) -> release(conn, command));
  }

  @Override
  public void confirm(Message<JsonObject> message) {
    ledger.invoke(message, "confirm", (conn, command) -> move(conn, command.getString("sagaId"), false, true)
        .compose(moved -> moved == null
            ? Future.failedFuture(StepRejected.rejected("saga " + command.getString("sagaId") + " holds no reservation"))
            : announce(conn, EventTopics.INVENTORY_CONFIRMED, command, moved).map(new JsonObject().put("confirmed", true))));
  }

  @Override
  public void restock(Message<JsonObject> message) {
    ledger.compensate(message, "restock", (conn, command, result) -> move(conn, command.getString("sagaId"), true, false)
        .compose(moved -> announce(conn, EventTopics.INVENTORY_RESTOCKED, command, moved))
        .map(new JsonObject().put("restocked", true)));
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  @Override
  public Future<JsonArray> levels() {
    return pool.query("SELECT sku, available, reserved, sold, price FROM " + stock + " ORDER BY sku").execute().map(rows -> {
      JsonArray levels = new JsonArray();
      rows.forEach(row -> levels.add(toJson(row)));
      return levels;
    });
  }

  @Override
  public Future<JsonObject> level(String sku) {
    return pool.preparedQuery("SELECT sku, available, reserved, sold, price FROM " + stock + " WHERE sku = $1").execute(Tuple.of(sku))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  private Future<JsonObject> reserve(SqlConnection conn, JsonObject command) {
    JsonArray items = command.getJsonArray("items");
    if (items == null || items.isEmpty()) {
      return Future.failedFuture(StepRejected.badRequest("items are required"));
    }
    // Sorted, so concurrent reservations lock SKUs in one order and cannot deadlock.
    Map<String, Long> wanted = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      wanted.merge(item.getString("sku"), item.getLong("qty"), Long::sum);
    }
    String sagaId = command.getString("sagaId");
    JsonArray reserved = new JsonArray();
    Future<Long> amount = Future.succeededFuture(0L);
    for (var entry : wanted.entrySet()) {
      // One statement takes the stock and records the reservation: one round trip per SKU.
      amount = amount.compose(sum -> conn.preparedQuery("WITH taken AS (UPDATE " + stock + " SET available = available - $2, "
              + "reserved = reserved + $2 WHERE sku = $1 AND available >= $2 RETURNING price), "
              + "held AS (INSERT INTO " + reservations + " (saga_id, sku, qty, sold) SELECT $3::text, $1::text, $2::bigint, false FROM taken) "
              + "SELECT price FROM taken")
          .execute(Tuple.of(entry.getKey(), entry.getValue(), sagaId))
          .compose(rows -> rows.size() == 0
              ? level(entry.getKey()).compose(level -> Future.failedFuture(level == null
                  ? StepRejected.rejected("unknown sku " + entry.getKey())
                  : StepRejected.rejected("out of stock: " + entry.getKey() + " has " + level.getLong("available") + " available, "
                      + entry.getValue() + " wanted")))
              : Future.succeededFuture(sum + price(rows.iterator().next(), entry.getKey(), entry.getValue(), reserved))));
    }
    return amount.compose(total -> outbox.append(conn, List.of(StepEvents.of(EventTopics.INVENTORY_RESERVED, command,
            InventoryEvents.reserved(command, reserved, total))))
        .map(new JsonObject().put("amount", total)));
  }

  /** The line's price times its quantity; notes the line for the reservation's event. */
  private static long price(Row row, String sku, long qty, JsonArray reserved) {
    long price = row.getLong("price");
    reserved.add(new JsonObject().put("sku", sku).put("qty", qty).put("price", price));
    return price * qty;
  }

  /** Raises {@code type} for the lines that moved; nothing when none did. */
  private Future<Void> announce(SqlConnection conn, String type, JsonObject command, JsonArray moved) {
    return moved == null || moved.isEmpty() ? Future.succeededFuture()
        : outbox.append(conn, List.of(StepEvents.of(type, command, InventoryEvents.moved(command, moved))));
  }

  private Future<JsonObject> release(SqlConnection conn, JsonObject command) {
    String sagaId = command.getString("sagaId");
    return held(conn, sagaId).compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row row : rows) {
        String from = row.getBoolean("sold") ? "sold" : "reserved";
        chain = chain.compose(ignored -> conn.preparedQuery("UPDATE " + stock + " SET " + from + " = " + from + " - $2, available = available + $2 WHERE sku = $1")
            .execute(Tuple.of(row.getString("sku"), row.getLong("qty"))).mapEmpty());
      }
      return chain.compose(ignored -> conn.preparedQuery("DELETE FROM " + reservations + " WHERE saga_id = $1").execute(Tuple.of(sagaId)))
          .compose(ignored -> announce(conn, EventTopics.INVENTORY_RELEASED, command, lines(rows)))
          .map(new JsonObject().put("released", true));
    });
  }

  /** Moves the saga's reservation between reserved and sold: the lines moved, or null when the saga holds none. */
  private Future<JsonArray> move(SqlConnection conn, String sagaId, boolean fromSold, boolean toSold) {
    return held(conn, sagaId).compose(rows -> {
      List<Row> movable = new ArrayList<>();
      rows.forEach(row -> {
        if (row.getBoolean("sold") == fromSold) {
          movable.add(row);
        }
      });
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      String from = fromSold ? "sold" : "reserved";
      String to = toSold ? "sold" : "reserved";
      // Issued together (pipelined), in SKU order as read, so concurrent moves lock SKUs in one order.
      List<Future<?>> updates = new ArrayList<>();
      for (Row row : movable) {
        updates.add(conn.preparedQuery("UPDATE " + stock + " SET " + from + " = " + from + " - $2, " + to + " = " + to + " + $2 WHERE sku = $1")
            .execute(Tuple.of(row.getString("sku"), row.getLong("qty"))));
      }
      updates.add(conn.preparedQuery("UPDATE " + reservations + " SET sold = $2 WHERE saga_id = $1").execute(Tuple.of(sagaId, toSold)));
      return Future.all(updates).map(lines(movable));
    });
  }

  private static JsonArray lines(Iterable<Row> rows) {
    JsonArray items = new JsonArray();
    rows.forEach(row -> items.add(new JsonObject().put("sku", row.getString("sku")).put("qty", row.getLong("qty"))));
    return items;
  }

  private Future<io.vertx.sqlclient.RowSet<Row>> held(SqlConnection conn, String sagaId) {
    return conn.preparedQuery("SELECT sku, qty, sold FROM " + reservations + " WHERE saga_id = $1 ORDER BY sku FOR UPDATE")
        .execute(Tuple.of(sagaId));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject().put("sku", row.getString("sku")).put("available", row.getLong("available"))
        .put("reserved", row.getLong("reserved")).put("sold", row.getLong("sold")).put("price", row.getLong("price"));
  }
}
