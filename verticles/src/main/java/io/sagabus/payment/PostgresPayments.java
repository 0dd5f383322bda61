package io.sagabus.payment;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;

/**
 * Accounts in PostgreSQL, shared by every node: {@code <prefix>payment_accounts}, {@code <prefix>payment_charges} and
 * {@code <prefix>payment_refunds}, changed in the same transaction as the step ledger row. A charge only debits
 * {@code WHERE balance >= amount}, so a balance never goes negative under concurrent charges. The events a change
 * raises go to the outbox in the same transaction.
 */
final class PostgresPayments implements PaymentBook {

  private final Pool pool;
  private final String accounts;
  private final String charges;
  private final String refunds;
  private final PgStepLedger ledger;
  private final PgOutbox outbox;

  PostgresPayments(Vertx vertx, Pool pool, String prefix, Faults faults, PgOutbox outbox) {
    this.pool = pool;
    this.outbox = outbox;
    this.accounts = prefix + "payment_accounts";
    this.charges = prefix + "payment_charges";
    this.refunds = prefix + "payment_refunds";
    this.ledger = new PgStepLedger(vertx, pool, prefix + "payment_steps", faults, outbox);
  }

  @Override
  public Future<Void> start(List<SeedCustomer> seed) {
    List<String> ddl = List.of(
        "CREATE TABLE IF NOT EXISTS " + accounts + " (customer_id text PRIMARY KEY, name text NOT NULL, balance bigint NOT NULL, "
            + "charged bigint NOT NULL DEFAULT 0, refunded bigint NOT NULL DEFAULT 0, CHECK (balance >= 0))",
        "CREATE TABLE IF NOT EXISTS " + charges + " (charge_id text PRIMARY KEY, saga_id text NOT NULL, customer_id text NOT NULL, "
            + "amount bigint NOT NULL, at text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + charges + "_customer ON " + charges + " (customer_id)",
        "CREATE TABLE IF NOT EXISTS " + refunds + " (charge_id text PRIMARY KEY, saga_id text NOT NULL, customer_id text NOT NULL, "
            + "amount bigint NOT NULL, at text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + refunds + "_customer ON " + refunds + " (customer_id)",
        ledger.createTableSql());
    List<Tuple> rows = seed.stream().map(c -> Tuple.of(c.customerId(), c.name(), c.balance())).toList();
    return PgSchema.migrate(pool, ddl, conn -> rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(
        "INSERT INTO " + accounts + " (customer_id, name, balance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .executeBatch(rows).mapEmpty()).compose(ignored -> outbox.start());
  }

  @Override
  public void charge(Message<JsonObject> message) {
    ledger.invoke(message, "charge", this::charge);
  }

  @Override
  public void refund(Message<JsonObject> message) {
    ledger.compensate(message, "refund", this::refund);
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  private Future<JsonObject> charge(SqlConnection conn, JsonObject command) {
    Long amount = command.getLong("amount");
    if (amount == null || amount < 0) {
      return Future.failedFuture(StepRejected.badRequest("amount must be a non-negative integer"));
    }
    String customerId = command.getString("customerId");
    String chargeId = "ch-" + Ids.next();
    // One statement debits and records the charge: one round trip while the account row is locked.
    return conn.preparedQuery("WITH debited AS (UPDATE " + accounts + " SET balance = balance - $2, charged = charged + $2 "
            + "WHERE customer_id = $1 AND balance >= $2 RETURNING balance), "
            + "recorded AS (INSERT INTO " + charges + " (charge_id, saga_id, customer_id, amount, at) "
            + "SELECT $3::text, $4::text, $1::text, $2::bigint, $5::text FROM debited) "
            + "SELECT balance FROM debited")
        .execute(Tuple.of(customerId, amount, chargeId, command.getString("sagaId"), Instant.now().toString()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return conn.preparedQuery("SELECT balance FROM " + accounts + " WHERE customer_id = $1").execute(Tuple.of(customerId))
                .compose(found -> Future.failedFuture(found.size() == 0
                    ? StepRejected.rejected("unknown customer " + customerId)
                    : StepRejected.rejected("payment declined: insufficient funds (balance " + found.iterator().next().getLong(0)
                        + ", amount " + amount + ")")));
          }
          return outbox.append(conn, List.of(StepEvents.of(EventTopics.PAYMENT_PROCESSED, command,
                  PaymentEvents.of(command, chargeId, amount))))
              .map(new JsonObject().put("chargeId", chargeId).put("charged", amount));
        });
  }

  private Future<JsonObject> refund(SqlConnection conn, JsonObject command, JsonObject charge) {
    long amount = charge.getLong("charged");
    String customerId = command.getString("customerId");
    return conn.preparedQuery("UPDATE " + accounts + " SET balance = balance + $2, refunded = refunded + $2 WHERE customer_id = $1")
        .execute(Tuple.of(customerId, amount))
        .compose(ignored -> conn.preparedQuery("INSERT INTO " + refunds + " (charge_id, saga_id, customer_id, amount, at) VALUES ($1, $2, $3, $4, $5)")
            .execute(Tuple.of(charge.getString("chargeId"), command.getString("sagaId"), customerId, amount, Instant.now().toString())))
        .compose(ignored -> outbox.append(conn, List.of(StepEvents.of(EventTopics.PAYMENT_REFUNDED, command,
            PaymentEvents.of(command, charge.getString("chargeId"), amount)))))
        .map(new JsonObject().put("refunded", amount));
  }

  @Override
  public Future<JsonArray> customers() {
    return pool.query("SELECT customer_id, name, balance FROM " + accounts + " ORDER BY customer_id").execute().map(rows -> {
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(new JsonObject().put("customerId", row.getString(0)).put("name", row.getString(1)).put("balance", row.getLong(2))));
      return items;
    });
  }

  @Override
  public Future<JsonObject> account(String customerId) {
    Tuple id = Tuple.of(customerId);
    return Future.all(
            pool.preparedQuery("SELECT customer_id, name, balance, charged, refunded FROM " + accounts + " WHERE customer_id = $1").execute(id),
            pool.preparedQuery("SELECT charge_id, saga_id, amount, at FROM " + charges + " WHERE customer_id = $1 ORDER BY at").execute(id),
            pool.preparedQuery("SELECT charge_id, saga_id, amount, at FROM " + refunds + " WHERE customer_id = $1 ORDER BY at").execute(id))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> account = all.resultAt(0);
          if (account.size() == 0) {
            return null;
          }
          Row row = account.iterator().next();
          return new JsonObject().put("customerId", row.getString(0)).put("name", row.getString(1)).put("balance", row.getLong(2))
              .put("charged", row.getLong(3)).put("refunded", row.getLong(4))
              .put("charges", movements(all.resultAt(1))).put("refunds", movements(all.resultAt(2)));
        });
  }

  private static JsonArray movements(io.vertx.sqlclient.RowSet<Row> rows) {
    JsonArray items = new JsonArray();
    rows.forEach(row -> items.add(new JsonObject().put("chargeId", row.getString(0)).put("sagaId", row.getString(1))
        .put("amount", row.getLong(2)).put("at", row.getString(3))));
    return items;
  }
}
