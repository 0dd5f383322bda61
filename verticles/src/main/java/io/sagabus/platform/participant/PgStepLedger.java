package io.sagabus.platform.participant;

import io.sagabus.platform.backend.GroupCommitQueue;
import io.sagabus.platform.backend.PipelinedTransaction;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.outbox.PgOutbox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@link StepLedger}'s guarantees for a participant whose state lives in PostgreSQL: the outcome of
 * {@code (sagaId, step)} is a row in the participant's own ledger table, written in the same transaction as the
 * business change, so a step happens once even across nodes and restarts.
 *
 * <p>Group commit: commands that arrive while a transaction is in flight run together in the next one (at most
 * {@link #MAX_BATCH} commands, {@link #MAX_IN_FLIGHT} transaction at a time; a batch aborted as a deadlock victim by
 * another node's batch runs again), and every caller is answered after
 * the commit. A batch of first deliveries costs two round trips plus its work's dependent statements, whatever its
 * size: {@code BEGIN}, one statement claiming every command's row and the commands' work, pipelined behind it without
 * waiting for the claim (a batch where a claim finds its step already there undoes that work and runs the claimed
 * commands again); then their outcome rows, their events and {@code COMMIT}. A hot row (one SKU, one customer) is
 * then changed by many commands under one lock hold instead of one transaction waiting for the next.
 *
 * <p>Commands whose work all succeeds run pipelined under one savepoint, so <b>an action's statements may interleave
 * with other commands' statements in the same transaction</b>: change rows with single statements (atomic SQL such as
 * {@code SET n = n - $1 WHERE n >= $1}), never by reading a value and writing it back from Java. If any of them is
 * refused or fails, that savepoint is rolled back and the commands run again one at a time, each under its own
 * savepoint, so a refusal keeps only its recorded refusal and the others' work stands. An action may therefore run
 * more than once; only the run that commits counts, and it must do nothing outside the transaction.
 *
 * <p>A concurrent duplicate in another transaction (another node) waits on the claimed row's lock and then reads the
 * outcome.
 *
 * <p>Actions write their events to the participant's {@link PgOutbox} on the transaction's connection. The ledger
 * stages them there and writes a batch's events in one statement before its {@code COMMIT} (a rolled-back savepoint
 * drops its own); once a batch committed, the ledger wakes the relays for the partitions it wrote.
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

  /** Commands per transaction. */
  static final int MAX_BATCH = 256;
  /**
   * Transactions one ledger runs at a time. One: two batches of one node would change the same hot rows in different
   * orders and deadlock; the next batch fills while one commits.
   */
  static final int MAX_IN_FLIGHT = 1;
  /** Runs of a batch whose transaction PostgreSQL aborted as a deadlock victim or serialization failure. */
  static final int MAX_BATCH_ATTEMPTS = 5;
  private static final Set<String> RETRYABLE_STATES = Set.of("40P01", "40001");

  private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,50}");
  private static final String COMPENSATION_SUFFIX = "#compensate";
  private static final String ABORTED_BEFORE_RUN = "step was aborted or compensated before it ran";

  private enum Kind { INVOKE, COMPENSATE, STATUS }

  /** One queued command and, once its batch commits, its outcome {@code {state, result?, code?, error?}}. */
  private static final class Command {
    final Kind kind;
    final String sagaId;
    final String step;
    final JsonObject body;
    final Action action;
    final Compensation compensation;
    final Promise<JsonObject> outcome = Promise.promise();
    /** The same key earlier in the batch: this command gets that one's outcome. */
    Command leader;
    /** Its row was inserted by this batch's claim: the command is to run. */
    boolean claimed;
    /** A compensation or status query earlier in the batch fenced this not yet run step. */
    boolean fenced;
    /** What the transaction decided; handed out only after the commit. */
    JsonObject decided;

    Command(Kind kind, JsonObject body, Action action, Compensation compensation) {
      this.kind = kind;
      this.sagaId = body.getString("sagaId");
      this.step = body.getString("step");
      this.body = body;
      this.action = action;
      this.compensation = compensation;
    }

    /** Drops what a rolled-back transaction decided, before the batch runs again. */
    void forget() {
      leader = null;
      claimed = false;
      fenced = false;
      decided = null;
    }

    /** The ledger row this command claims: the step itself, or the step's compensation. */
    String ledgerStep() {
      return kind == Kind.COMPENSATE ? step + COMPENSATION_SUFFIX : step;
    }

    String ledgerKey() {
      return key(sagaId, ledgerStep());
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final String table;
  private final Faults faults;
  private final PgOutbox outbox;
  private final String claimSql;
  private final String knownSql;
  private final String recordSql;
  /** A wave's outcome rows in one statement. */
  private final String recordSucceededSql;
  private final String fenceSql;
  private final String fenceClaimedSql;
  private final String outcomeSql;
  private final String unclaimSql;
  private final GroupCommitQueue<Command> batches;

  public PgStepLedger(Vertx vertx, Pool pool, String table, Faults faults, PgOutbox outbox) {
    if (!SAFE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("ledger table name must match " + SAFE_NAME + ", got '" + table + "'");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.table = table;
    this.faults = faults;
    this.outbox = outbox;
    HandedOverJson.registerOn(vertx);
    // Claimed in key order, so two transactions claiming overlapping keys take the row locks in one order.
    this.claimSql = "INSERT INTO " + table + " (saga_id, step, state) SELECT s, k, 'running' FROM unnest($1::text[], $2::text[]) AS u(s, k) "
        + "ORDER BY s, k ON CONFLICT DO NOTHING RETURNING saga_id, step";
    this.knownSql = "SELECT saga_id, step, state, result, code, error FROM " + table
        + " WHERE (saga_id, step) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY saga_id, step FOR UPDATE";
    this.recordSql = "UPDATE " + table + " SET state = $3, result = $4, code = $5, error = $6 WHERE saga_id = $1 AND step = $2";
    this.recordSucceededSql = "UPDATE " + table + " AS l SET state = 'succeeded', result = u.result::jsonb "
        + "FROM unnest($1::text[], $2::text[], $3::text[]) AS u(saga_id, step, result) WHERE l.saga_id = u.saga_id AND l.step = u.step";
    this.fenceSql = "INSERT INTO " + table + " (saga_id, step, state) VALUES ($1, $2, 'aborted') ON CONFLICT DO NOTHING";
    this.fenceClaimedSql = "UPDATE " + table + " SET state = 'aborted' WHERE saga_id = $1 AND step = $2";
    this.outcomeSql = "SELECT saga_id, step, state, result, code, error FROM " + table + " WHERE saga_id = $1 AND step = $2 FOR UPDATE";
    this.unclaimSql = "DELETE FROM " + table + " WHERE saga_id = $1 AND step = $2";
    this.batches = new GroupCommitQueue<>(vertx, MAX_BATCH, MAX_IN_FLIGHT, this::writeBatch);
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
    reply(message, op, enqueue(new Command(Kind.INVOKE, command, action, null)));
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
    reply(message, op, enqueue(new Command(Kind.COMPENSATE, command, null, compensation)));
  }

  public void status(Message<JsonObject> message) {
    JsonObject query = message.body();
    if (!valid(message, query)) {
      return;
    }
    enqueue(new Command(Kind.STATUS, query, null, null))
        .onSuccess(outcome -> {
          JsonObject answer = new JsonObject().put("state", outcome.getString("state"));
          if (outcome.getJsonObject("result") != null) {
            answer.put("result", outcome.getJsonObject("result"));
          }
          message.reply(answer, HandedOverJson.options());
        })
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, String.valueOf(failure.getMessage())));
  }

  // ---- group commit ----

  private Future<JsonObject> enqueue(Command command) {
    batches.add(command);
    return command.outcome.future();
  }

  private Future<Void> writeBatch(List<Command> batch) {
    return runBatchRetryingDeadlocks(batch, 1).andThen(done -> {
      for (Command command : batch) {
        if (done.failed()) {
          command.outcome.fail(done.cause());
        } else {
          command.outcome.complete((command.leader != null ? command.leader : command).decided);
        }
      }
    });
  }

  /**
   * Two transactions that change the same hot rows in different orders (two batches on different nodes charging the
   * same two customers) can deadlock; PostgreSQL then aborts one. Nothing of it was committed, so the batch runs again.
   */
  private Future<Void> runBatchRetryingDeadlocks(List<Command> batch, int attempt) {
    Set<Integer> appendedTo = new HashSet<>();
    return PipelinedTransaction.run(pool, (conn, pipelined) -> {
          outbox.stageOn(conn);
          return runBatch(conn, batch, pipelined)
              .andThen(done -> {
                if (done.succeeded()) {
                  // The batch's events in one statement, sent with the outcome rows and COMMIT.
                  pipelined.add(outbox.flushStaged(conn));
                }
                // Taken while this transaction still holds the connection; signalled only once it committed.
                appendedTo.addAll(outbox.takeAppended(conn));
              });
        })
        .onSuccess(committed -> outbox.signal(appendedTo))
        .recover(failure -> {
          if (attempt >= MAX_BATCH_ATTEMPTS || !(failure instanceof PgException pg) || !RETRYABLE_STATES.contains(pg.getSqlState())) {
            return Future.failedFuture(failure);
          }
          batch.forEach(Command::forget);
          return runBatchRetryingDeadlocks(batch, attempt + 1);
        });
  }

  private Future<Void> runBatch(SqlConnection conn, List<Command> batch, List<Future<?>> pipelined) {
    Map<String, Command> leaders = new HashMap<>();
    List<Command> claiming = new ArrayList<>();
    Set<String> sagasLookingBack = new HashSet<>();
    for (Command command : batch) {
      if (command.kind != Kind.INVOKE) {
        sagasLookingBack.add(command.sagaId);
      }
      if (command.kind == Kind.STATUS) {
        continue;
      }
      Command leader = leaders.putIfAbsent(command.ledgerKey(), command);
      if (leader != null) {
        command.leader = leader;
      } else {
        claiming.add(command);
      }
    }
    if (sagasLookingBack.isEmpty() && claiming.size() == batch.size()) {
      // Every command is the first of its key in the batch and only invokes: its work goes out with the claim,
      // without waiting for it, and is undone in the rare batch where a claim finds its step already there.
      Future<List<Command>> claimed = claim(conn, claiming, leaders);
      Wave wave = startWave(conn, claiming);
      // Waits for the work even when the claim failed: nothing may follow this transaction's ROLLBACK.
      return Future.join(wave.results()).transform(workAnswered -> claimed).compose(unclaimed -> unclaimed.isEmpty()
              ? settleWave(conn, wave, pipelined)
              : undoWave(conn, wave).compose(undone -> runClaimed(conn, batch, unclaimed, sagasLookingBack, pipelined)))
          .compose(failedWave -> runOneByOne(conn, failedWave, leaders, pipelined));
    }
    return claim(conn, claiming, leaders)
        .compose(unclaimed -> runClaimed(conn, batch, unclaimed, sagasLookingBack, pipelined))
        .compose(rest -> runOneByOne(conn, rest, leaders, pipelined));
  }

  /**
   * Answers the commands whose claim found their row, runs the claimed invokes that depend on nothing else in the
   * batch as a wave, and completes with the commands left to run one at a time.
   */
  private Future<List<Command>> runClaimed(SqlConnection conn, List<Command> batch, List<Command> unclaimed, Set<String> sagasLookingBack,
      List<Future<?>> pipelined) {
    return readKnown(conn, unclaimed).compose(ignored -> {
      List<Command> wave = new ArrayList<>();
      List<Command> oneByOne = new ArrayList<>();
      for (Command command : batch) {
        if (command.leader != null || (!command.claimed && command.kind != Kind.STATUS)) {
          continue;
        }
        (command.kind == Kind.INVOKE && !sagasLookingBack.contains(command.sagaId) ? wave : oneByOne).add(command);
      }
      return settleWave(conn, startWave(conn, wave), pipelined).map(failedWave -> {
        List<Command> rest = new ArrayList<>(failedWave);
        rest.addAll(oneByOne);
        return rest;
      });
    });
  }

  private Future<Void> runOneByOne(SqlConnection conn, List<Command> commands, Map<String, Command> leaders, List<Future<?>> pipelined) {
    Future<Void> chain = Future.succeededFuture();
    for (Command command : commands) {
      chain = chain.compose(v -> runOne(conn, command, leaders, pipelined));
    }
    return chain;
  }

  /** Inserts a running row per command in one statement; completes with the commands whose row already existed. */
  private Future<List<Command>> claim(SqlConnection conn, List<Command> claiming, Map<String, Command> leaders) {
    if (claiming.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(claimSql).execute(keys(claiming)).map(rows -> {
      for (Row row : rows) {
        leaders.get(key(row.getString(0), row.getString(1))).claimed = true;
      }
      return claiming.stream().filter(command -> !command.claimed).toList();
    });
  }

  /** Commands whose step already has an outcome get it again: a retry or a duplicate. */
  private Future<Void> readKnown(SqlConnection conn, List<Command> unclaimed) {
    if (unclaimed.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Command> byKey = new HashMap<>();
    unclaimed.forEach(command -> byKey.put(command.ledgerKey(), command));
    return conn.preparedQuery(knownSql).execute(keys(unclaimed)).map(rows -> {
      for (Row row : rows) {
        Command command = byKey.get(key(row.getString("saga_id"), row.getString("step")));
        JsonObject known = outcome(row);
        command.decided = command.kind == Kind.INVOKE && "aborted".equals(known.getString("state")) ? abortedRefusal() : known;
      }
      // A row that vanished between the claim and the read was given back by a failed run: the caller may retry.
      unclaimed.stream().filter(command -> command.decided == null).forEach(command -> command.decided = transientFailure(
          "the step's earlier run failed; retry"));
      return null;
    });
  }

  /** A wave's work in flight under its savepoint, and where its events began in the outbox's staging. */
  private record Wave(List<Command> commands, Future<?> savepoint, int stagedMark, List<Future<JsonObject>> results) {}

  /** Sends the commands' work pipelined under one savepoint, not waiting for any of it. */
  private Wave startWave(SqlConnection conn, List<Command> commands) {
    if (commands.isEmpty()) {
      return new Wave(commands, Future.succeededFuture(), 0, List.of());
    }
    Future<?> savepoint = conn.query("SAVEPOINT wave").execute();
    int stagedMark = outbox.stagedCount(conn);
    List<Future<JsonObject>> results = new ArrayList<>();
    for (Command command : commands) {
      results.add(attempt(() -> command.action.apply(conn, command.body)));
    }
    return new Wave(commands, savepoint, stagedMark, results);
  }

  /**
   * When all of the wave's work succeeded its outcome rows are queued and it completes with no commands; otherwise
   * the savepoint is rolled back and it completes with every command of the wave, to be run again one at a time.
   */
  private Future<List<Command>> settleWave(SqlConnection conn, Wave wave, List<Future<?>> pipelined) {
    if (wave.commands().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Future.join(wave.results()).transform(all -> {
      if (wave.savepoint().failed()) {
        return Future.failedFuture(wave.savepoint().cause());
      }
      if (all.failed()) {
        return rollBack(conn, wave).map(wave.commands());
      }
      List<Command> commands = wave.commands();
      String[] sagaIds = new String[commands.size()];
      String[] steps = new String[commands.size()];
      String[] values = new String[commands.size()];
      for (int i = 0; i < commands.size(); i++) {
        Command command = commands.get(i);
        JsonObject value = wave.results().get(i).result() == null ? new JsonObject() : wave.results().get(i).result();
        command.decided = new JsonObject().put("state", "succeeded").put("result", value);
        sagaIds[i] = command.sagaId;
        steps[i] = command.ledgerStep();
        values[i] = value.encode();
      }
      pipelined.add(conn.preparedQuery(recordSucceededSql).execute(Tuple.of(sagaIds, steps, values)));
      return Future.succeededFuture(List.<Command>of());
    });
  }

  /** Undoes a wave once all of its work has answered (a statement sent after the rollback would run outside it). */
  private Future<Void> undoWave(SqlConnection conn, Wave wave) {
    return Future.join(wave.results()).transform(all -> wave.savepoint().failed()
        ? Future.failedFuture(wave.savepoint().cause())
        : rollBack(conn, wave));
  }

  private Future<Void> rollBack(SqlConnection conn, Wave wave) {
    outbox.dropStaged(conn, wave.stagedMark());
    return conn.query("ROLLBACK TO SAVEPOINT wave").execute().mapEmpty();
  }

  private Future<Void> runOne(SqlConnection conn, Command command, Map<String, Command> leaders, List<Future<?>> pipelined) {
    return switch (command.kind) {
      case INVOKE -> {
        if (command.fenced) {
          command.decided = abortedRefusal();
          yield Future.succeededFuture();
        }
        yield perform(conn, command, () -> command.action.apply(conn, command.body), pipelined);
      }
      case COMPENSATE -> fenceOrRead(conn, command, leaders).compose(original -> !"succeeded".equals(original.getString("state"))
          ? perform(conn, command, () -> Future.succeededFuture(new JsonObject().put("noop", true)), pipelined)
          : perform(conn, command, () -> command.compensation.apply(conn, command.body, original.getJsonObject("result", new JsonObject())), pipelined));
      case STATUS -> fenceOrRead(conn, command, leaders).map(outcome -> {
        command.decided = outcome;
        return null;
      });
    };
  }

  /**
   * The outcome of the command's step, fencing it first when it never ran: a step claimed earlier in this batch and
   * not yet run is marked aborted (it will be refused), any other step gets an aborted row unless it has one.
   */
  private Future<JsonObject> fenceOrRead(SqlConnection conn, Command command, Map<String, Command> leaders) {
    Command pendingInvoke = leaders.get(key(command.sagaId, command.step));
    if (pendingInvoke != null && pendingInvoke.claimed && pendingInvoke.decided == null && !pendingInvoke.fenced) {
      pendingInvoke.fenced = true;
      return conn.preparedQuery(fenceClaimedSql).execute(Tuple.of(command.sagaId, command.step)).map(new JsonObject().put("state", "aborted"));
    }
    // Issued back to back: the read waits for nothing but the fence.
    Future<?> fenced = conn.preparedQuery(fenceSql).execute(Tuple.of(command.sagaId, command.step));
    Future<JsonObject> read = conn.preparedQuery(outcomeSql).execute(Tuple.of(command.sagaId, command.step))
        .map(rows -> outcome(rows.iterator().next()));
    return fenced.compose(ignored -> read);
  }

  /**
   * Runs one command's work under its own savepoint; a refusal rolls back only that work. The outcome row is written
   * without waiting (pipelined with what follows); the batch waits for it before it commits.
   */
  private Future<Void> perform(SqlConnection conn, Command command, Supplier<Future<JsonObject>> work, List<Future<?>> pipelined) {
    Future<?> savepoint = conn.query("SAVEPOINT step_work").execute();
    int stagedMark = outbox.stagedCount(conn);
    return attempt(work).transform(result -> {
      if (savepoint.failed()) {
        return Future.failedFuture(savepoint.cause());
      }
      String step = command.ledgerStep();
      if (result.succeeded()) {
        JsonObject value = result.result() == null ? new JsonObject() : result.result();
        command.decided = new JsonObject().put("state", "succeeded").put("result", value);
        pipelined.add(record(conn, command.sagaId, step, "succeeded", value, null, null));
        return Future.succeededFuture();
      }
      outbox.dropStaged(conn, stagedMark);
      pipelined.add(conn.query("ROLLBACK TO SAVEPOINT step_work").execute());
      if (result.cause() instanceof StepRejected rejected) {
        command.decided = new JsonObject().put("state", "failed").put("code", rejected.code()).put("error", rejected.getMessage());
        pipelined.add(record(conn, command.sagaId, step, "failed", null, rejected.code(), rejected.getMessage()));
      } else {
        // Not a business answer: give the row back so a retry runs the step, and tell this caller it may retry.
        command.decided = transientFailure(String.valueOf(result.cause().getMessage()));
        pipelined.add(conn.preparedQuery(unclaimSql).execute(Tuple.of(command.sagaId, step)));
      }
      return Future.succeededFuture();
    });
  }

  private static Future<JsonObject> attempt(Supplier<Future<JsonObject>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<?> record(SqlConnection conn, String sagaId, String step, String state, JsonObject result, Integer code, String error) {
    return conn.preparedQuery(recordSql).execute(Tuple.of(sagaId, step, state, result, code, error));
  }

  private static Tuple keys(List<Command> commands) {
    List<Command> sorted = new ArrayList<>(commands);
    sorted.sort(Comparator.comparing((Command command) -> command.sagaId).thenComparing(Command::ledgerStep));
    return Tuple.tuple()
        .addArrayOfString(sorted.stream().map(command -> command.sagaId).toArray(String[]::new))
        .addArrayOfString(sorted.stream().map(Command::ledgerStep).toArray(String[]::new));
  }

  private static String key(String sagaId, String step) {
    return sagaId + '\u0000' + step;
  }

  private static JsonObject outcome(Row row) {
    JsonObject outcome = new JsonObject().put("state", row.getString("state"));
    if (row.getJsonObject("result") != null) {
      outcome.put("result", row.getJsonObject("result"));
    }
    if (row.getString("error") != null) {
      outcome.put("code", row.getInteger("code")).put("error", row.getString("error"));
    }
    return outcome;
  }

  private static JsonObject abortedRefusal() {
    return new JsonObject().put("state", "failed").put("code", FailureCodes.REJECTED).put("error", ABORTED_BEFORE_RUN);
  }

  private static JsonObject transientFailure(String error) {
    return new JsonObject().put("state", "failed").put("code", FailureCodes.UNAVAILABLE).put("error", error);
  }

  private void reply(Message<JsonObject> message, String op, Future<JsonObject> outcome) {
    outcome.onComplete(done -> {
      long delay = faults.replyDelayMs(op);
      Runnable send = () -> {
        if (done.failed()) {
          message.fail(FailureCodes.UNAVAILABLE, String.valueOf(done.cause().getMessage()));
        } else if ("succeeded".equals(done.result().getString("state"))) {
          message.reply(done.result().getJsonObject("result", new JsonObject()), HandedOverJson.options());
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
