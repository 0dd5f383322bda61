package io.sagabus.platform.participant;

import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.regex.Pattern;

/**
 * {@link StepLedger}'s guarantees for a participant whose state lives in PostgreSQL: the outcome of
 * {@code (sagaId, step)} is a row in the participant's own ledger table, written in the same transaction as the
 * business change, so a step happens once even across nodes and restarts. The first command for a key inserts the
 * row and holds its lock until commit; a concurrent duplicate waits on that lock and then reads the outcome.
 * A business refusal rolls back to a savepoint, keeping only the recorded refusal.
 */
public final class PgStepLedger {

  /** A step's work inside the ledger's transaction. */
  @FunctionalInterface
  public interface Action {
    Future<JsonObject> apply(SqlConnection conn, JsonObject command);
  }

  /** A compensation's work: also gets the recorded result of the step it undoes. */
  @FunctionalInterface
  public interface Compensation {
    Future<JsonObject> apply(SqlConnection conn, JsonObject command, JsonObject stepResult);
  }

  private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,50}");

  private final Vertx vertx;
  private final Pool pool;
  private final String table;
  private final Faults faults;

  public PgStepLedger(Vertx vertx, Pool pool, String table, Faults faults) {
    if (!SAFE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("ledger table name must match " + SAFE_NAME + ", got '" + table + "'");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.table = table;
    this.faults = faults;
  }

  public String createTableSql() {
    return "CREATE TABLE IF NOT EXISTS " + table + " (saga_id text NOT NULL, step text NOT NULL, state text NOT NULL, "
        + "result jsonb, code int, error text, PRIMARY KEY (saga_id, step))";
  }

  public void invoke(Message<JsonObject> message, String op, Action action) {
    JsonObject command = message.body();
    if (!valid(message, command) || faults.dropNow(op)) {
      return;
    }
    if (faults.failNow(op)) {
      message.fail(FailureCodes.INTERNAL, "injected fault in " + op);
      return;
    }
    String sagaId = command.getString("sagaId");
    String step = command.getString("step");
    reply(message, op, pool.withTransaction(conn -> claim(conn, sagaId, step).compose(claimed -> {
      if (!claimed) {
        return outcome(conn, sagaId, step).map(known -> "aborted".equals(known.getString("state"))
            ? new JsonObject().put("state", "failed").put("code", FailureCodes.REJECTED).put("error", "step was aborted or compensated before it ran")
            : known);
      }
      return perform(conn, sagaId, step, () -> action.apply(conn, command));
    })));
  }

  public void compensate(Message<JsonObject> message, String op, Compensation compensation) {
    JsonObject command = message.body();
    if (!valid(message, command)) {
      return;
    }
    if (faults.failNow(op)) {
      message.fail(FailureCodes.INTERNAL, "injected fault in " + op);
      return;
    }
    String sagaId = command.getString("sagaId");
    String step = command.getString("step");
    String key = step + "#compensate";
    reply(message, op, pool.withTransaction(conn -> claim(conn, sagaId, key).compose(claimed -> {
      if (!claimed) {
        return outcome(conn, sagaId, key);
      }
      // Fence the step if it never ran; otherwise lock its row and read what it did.
      return conn.preparedQuery("INSERT INTO " + table + " (saga_id, step, state) VALUES ($1, $2, 'aborted') ON CONFLICT DO NOTHING")
          .execute(Tuple.of(sagaId, step))
          .compose(ignored -> outcome(conn, sagaId, step))
          .compose(original -> !"succeeded".equals(original.getString("state"))
              ? perform(conn, sagaId, key, () -> Future.succeededFuture(new JsonObject().put("noop", true)))
              : perform(conn, sagaId, key, () -> compensation.apply(conn, command, original.getJsonObject("result", new JsonObject()))));
    })));
  }

  public void status(Message<JsonObject> message) {
    JsonObject query = message.body();
    if (!valid(message, query)) {
      return;
    }
    String sagaId = query.getString("sagaId");
    String step = query.getString("step");
    pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO " + table + " (saga_id, step, state) VALUES ($1, $2, 'aborted') ON CONFLICT DO NOTHING")
            .execute(Tuple.of(sagaId, step))
            .compose(ignored -> outcome(conn, sagaId, step)))
        .onSuccess(outcome -> {
          JsonObject answer = new JsonObject().put("state", outcome.getString("state"));
          if (outcome.getJsonObject("result") != null) {
            answer.put("result", outcome.getJsonObject("result"));
          }
          message.reply(answer);
        })
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, String.valueOf(failure.getMessage())));
  }

  private Future<Boolean> claim(SqlConnection conn, String sagaId, String step) {
    return conn.preparedQuery("INSERT INTO " + table + " (saga_id, step, state) VALUES ($1, $2, 'running') ON CONFLICT DO NOTHING")
        .execute(Tuple.of(sagaId, step)).map(rows -> rows.rowCount() == 1);
  }

  private Future<JsonObject> outcome(SqlConnection conn, String sagaId, String step) {
    return conn.preparedQuery("SELECT state, result, code, error FROM " + table + " WHERE saga_id = $1 AND step = $2 FOR UPDATE")
        .execute(Tuple.of(sagaId, step))
        .map(rows -> {
          Row row = rows.iterator().next();
          JsonObject outcome = new JsonObject().put("state", row.getString("state"));
          if (row.getJsonObject("result") != null) {
            outcome.put("result", row.getJsonObject("result"));
          }
          if (row.getString("error") != null) {
            outcome.put("code", row.getInteger("code")).put("error", row.getString("error"));
          }
          return outcome;
        });
  }

  private Future<JsonObject> perform(SqlConnection conn, String sagaId, String step, java.util.function.Supplier<Future<JsonObject>> work) {
    return conn.query("SAVEPOINT step_work").execute()
        .compose(ignored -> {
          try {
            return work.get();
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .transform(done -> {
          if (done.succeeded()) {
            JsonObject result = done.result() == null ? new JsonObject() : done.result();
            return record(conn, sagaId, step, "succeeded", result, null, null)
                .map(new JsonObject().put("state", "succeeded").put("result", result));
          }
          if (done.cause() instanceof StepRejected rejected) {
            return conn.query("ROLLBACK TO SAVEPOINT step_work").execute()
                .compose(ignored -> record(conn, sagaId, step, "failed", null, rejected.code(), rejected.getMessage()))
                .map(new JsonObject().put("state", "failed").put("code", rejected.code()).put("error", rejected.getMessage()));
          }
          return Future.failedFuture(done.cause());
        });
  }

  private Future<Void> record(SqlConnection conn, String sagaId, String step, String state, JsonObject result, Integer code, String error) {
    return conn.preparedQuery("UPDATE " + table + " SET state = $3, result = $4, code = $5, error = $6 WHERE saga_id = $1 AND step = $2")
        .execute(Tuple.of(sagaId, step, state, result, code, error)).mapEmpty();
  }

  private void reply(Message<JsonObject> message, String op, Future<JsonObject> outcome) {
    outcome.onComplete(done -> {
      long delay = faults.replyDelayMs(op);
      Runnable send = () -> {
        if (done.failed()) {
          message.fail(FailureCodes.UNAVAILABLE, String.valueOf(done.cause().getMessage()));
        } else if ("succeeded".equals(done.result().getString("state"))) {
          message.reply(done.result().getJsonObject("result", new JsonObject()));
        } else {
          message.fail(done.result().getInteger("code", FailureCodes.REJECTED), done.result().getString("error"));
        }
      };
      if (delay > 0) {
        vertx.setTimer(delay, id -> send.run());
      } else {
        send.run();
      }
    });
  }

  private static boolean valid(Message<JsonObject> message, JsonObject command) {
    if (command == null || command.getString("sagaId") == null || command.getString("step") == null) {
      message.fail(FailureCodes.BAD_REQUEST, "saga commands need sagaId and step");
      return false;
    }
    return true;
  }
}
