package io.sagabus.platform.participant;

import io.sagabus.platform.backend.Backends;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.outbox.Outbox;
import io.sagabus.platform.outbox.PgOutbox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit ledger against a real PostgreSQL: commands sent in one go are run in one transaction, and within
 * it each keeps the guarantees of a command run alone.
 */
class PgStepLedgerTest {

  private final String prefix = "ledger" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
  private final String counter = prefix + "counter";
  private Vertx vertx;
  private Pool pool;
  private PgOutbox outbox;
  private LedgerVerticle participant;

  /** A participant adding to one hot counter row: {@code add} refuses a negative amount after doing its work. */
  private final class LedgerVerticle extends VerticleBase {
    private PgStepLedger ledger;

    @Override
    public Future<?> start() {
      ledger = new PgStepLedger(vertx, pool, prefix + "steps", Faults.fromConfig(null), outbox);
      vertx.eventBus().<JsonObject>consumer("t.add", message -> ledger.invoke(message, "add", (conn, command) ->
          conn.preparedQuery("UPDATE " + counter + " SET n = n + $1 WHERE id = 'hot' RETURNING n, txid_current()")
              .execute(Tuple.of(command.getLong("amount")))
              .compose(rows -> outbox.append(conn, List.of(DomainEvent.of(EventTopics.ORDER_CREATED, command.getString("sagaId"),
                      command.getString("sagaId"), null, new JsonObject().put("step", command.getString("step")))))
                  // Refused after its work and its event: the ledger must undo both.
                  .compose(appended -> command.getLong("amount") < 0 ? Future.failedFuture(StepRejected.rejected("negative amount"))
                      // A slow command keeps its transaction open after its append: a wake sent before the commit shows.
                      : command.containsKey("slowMs") ? vertx.timer(command.getLong("slowMs")).mapEmpty() : Future.succeededFuture())
                  .map(new JsonObject().put("tx", rows.iterator().next().getLong(1)).put("added", command.getLong("amount"))))));
      vertx.eventBus().<JsonObject>consumer("t.undo", message -> ledger.compensate(message, "undo", (conn, command, added) ->
          conn.preparedQuery("UPDATE " + counter + " SET n = n - $1 WHERE id = 'hot'").execute(Tuple.of(added.getLong("added")))
              .map(new JsonObject().put("undone", added.getLong("added")))));
      return Future.succeededFuture();
    }

    /** Sends every command from the ledger's own event loop in one go, so they queue before its next flush. */
    Future<List<Future<JsonObject>>> sendTogether(List<JsonObject[]> commands) {
      Promise<List<Future<JsonObject>>> sent = Promise.promise();
      context.runOnContext(ignored -> {
        List<Future<JsonObject>> replies = new ArrayList<>();
        commands.forEach(command -> replies.add(vertx.eventBus().<JsonObject>request(command[0].getString("address"), command[1])
            .map(Message::body)));
        sent.complete(replies);
      });
      return sent.future();
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(Backends.pgOptions("postgresql://postgres@127.0.0.1:5432/test")).using(vertx).build();
    await(pool.query("CREATE TABLE " + counter + " (id text PRIMARY KEY, n bigint NOT NULL)").execute()
        .compose(ignored -> pool.query("INSERT INTO " + counter + " VALUES ('hot', 0)").execute()));
    outbox = new PgOutbox(vertx, pool, Backends.pgOptions("postgresql://postgres@127.0.0.1:5432/test"), prefix + "outbox", 4, 0);
    await(outbox.start());
    participant = new LedgerVerticle();
    await(vertx.deployVerticle(participant).compose(ignored -> pool.query(new PgStepLedger(vertx, pool, prefix + "steps", Faults.fromConfig(null), outbox)
        .createTableSql()).execute()));
  }

  @AfterEach
  void stop() {
    await(pool.query("DROP TABLE IF EXISTS " + counter + ", " + prefix + "steps, " + prefix + "outbox").execute());
    await(vertx.close());
  }

  @Test
  void commandsSentTogether_commitInOneTransaction_andARefusalUndoesOnlyItsOwnWork() {
    String saga = UUID.randomUUID().toString();
    List<Future<JsonObject>> replies = sendTogether(
        add(saga, "s1", 1), add(saga, "s2", 2), add(saga, "refused", -1000), add(saga, "s3", 4), add(saga, "s4", 8));

    List<Object> transactions = new ArrayList<>();
    for (int i : new int[] {0, 1, 3, 4}) {
      transactions.add(await(replies.get(i)).getLong("tx"));
    }
    assertThat(transactions).as("the successful commands' transaction ids").containsOnly(transactions.get(0));
    assertThat(failureCode(replies.get(2))).isEqualTo(FailureCodes.REJECTED);
    assertThat(counterValue()).isEqualTo(15);
    assertThat(eventSteps(saga)).as("events in the outbox").containsExactlyInAnyOrder("s1", "s2", "s3", "s4");
    assertThat(failureCode(sendTogether(add(saga, "refused", -1000)).get(0)))
        .as("the refusal was recorded and is answered again without running").isEqualTo(FailureCodes.REJECTED);
    assertThat(counterValue()).isEqualTo(15);
  }

  @Test
  void redeliveredCommandAmongFirstDeliveries_getsItsFirstOutcome_andEveryStepRunsAndAppendsOnce() {
    String saga = UUID.randomUUID().toString();
    JsonObject first = await(sendTogether(add(saga, "s1", 1)).get(0));

    List<Future<JsonObject>> replies = sendTogether(add(saga, "s2", 2), add(saga, "s1", 1), add(saga, "s3", 4));

    assertThat(await(replies.get(1))).as("the redelivery's answer").isEqualTo(first);
    assertThat(await(replies.get(0)).getLong("tx")).isEqualTo(await(replies.get(2)).getLong("tx")).isNotEqualTo(first.getLong("tx"));
    assertThat(counterValue()).isEqualTo(7);
    assertThat(eventSteps(saga)).as("events in the outbox").containsExactlyInAnyOrder("s1", "s2", "s3");
  }

  @Test
  void committedBatch_wakesTheRelaysOnceForEachPartitionItWrote_whenItsEventsAreVisible() {
    List<String> sagas = IntStream.range(0, 40).mapToObj(i -> UUID.randomUUID().toString()).toList();
    Set<Integer> written = sagas.stream().map(saga -> Outbox.partitionOf(saga, 4)).collect(Collectors.toSet());
    Map<Integer, Long> visibleWhenSignalled = new ConcurrentHashMap<>();
    List<Integer> signals = new CopyOnWriteArrayList<>();
    await(outbox.onAppended(partition -> {
      signals.add(partition);
      pool.preparedQuery("SELECT count(*) FROM " + prefix + "outbox WHERE part = $1").execute(Tuple.of(partition))
          .onSuccess(rows -> visibleWhenSignalled.put(partition, rows.iterator().next().getLong(0)));
    }));

    List<Future<JsonObject>> replies = sendTogether(sagas.stream().map(saga -> {
      JsonObject[] command = add(saga, "s1", 1);
      command[1].put("slowMs", 300);
      return command;
    }).toArray(JsonObject[][]::new));
    replies.forEach(PgStepLedgerTest::await);

    assertThat(replies.stream().map(reply -> reply.result().getLong("tx")).distinct()).as("one transaction").hasSize(1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> visibleWhenSignalled.size() == written.size());
    assertThat(signals).containsExactlyInAnyOrderElementsOf(written);
    visibleWhenSignalled.forEach((partition, rows) -> assertThat(rows).as("rows of partition %d when it was signalled", partition)
        .isEqualTo(sagas.stream().filter(saga -> Outbox.partitionOf(saga, 4) == partition).count()));
  }

  @Test
  void duplicateCommandInTheSameBatch_runsOnceAndBothGetTheOutcome() {
    String saga = UUID.randomUUID().toString();
    List<Future<JsonObject>> replies = sendTogether(add(saga, "s1", 5), add(saga, "s1", 5));

    assertThat(await(replies.get(0))).isEqualTo(await(replies.get(1)));
    assertThat(counterValue()).isEqualTo(5);
  }

  @Test
  void compensationQueuedBeforeItsStep_fencesTheStep_soTheLateStepIsRefused() {
    String saga = UUID.randomUUID().toString();
    List<Future<JsonObject>> replies = sendTogether(undo(saga, "s1"), add(saga, "s1", 7));

    assertThat(await(replies.get(0)).getBoolean("noop")).isTrue();
    assertThat(failureCode(replies.get(1))).isEqualTo(FailureCodes.REJECTED);
    assertThat(counterValue()).isZero();
  }

  @Test
  void stepThenItsCompensationInLaterBatches_undoTheWorkExactlyOnce() {
    String saga = UUID.randomUUID().toString();
    await(sendTogether(add(saga, "s1", 9)).get(0));
    List<Future<JsonObject>> undos = sendTogether(undo(saga, "s1"), undo(saga, "s1"));

    assertThat(await(undos.get(0)).getLong("undone")).isEqualTo(9);
    assertThat(await(undos.get(1)).getLong("undone")).isEqualTo(9);
    assertThat(counterValue()).isZero();
  }

  private static JsonObject[] add(String saga, String step, long amount) {
    return new JsonObject[] {new JsonObject().put("address", "t.add"), new JsonObject().put("sagaId", saga).put("step", step).put("amount", amount)};
  }

  private static JsonObject[] undo(String saga, String step) {
    return new JsonObject[] {new JsonObject().put("address", "t.undo"), new JsonObject().put("sagaId", saga).put("step", step)};
  }

  private List<Future<JsonObject>> sendTogether(JsonObject[]... commands) {
    return await(participant.sendTogether(List.of(commands)));
  }

  private long counterValue() {
    return await(pool.query("SELECT n FROM " + counter + " WHERE id = 'hot'").execute()).iterator().next().getLong(0);
  }

  private List<String> eventSteps(String saga) {
    List<String> steps = new ArrayList<>();
    await(pool.preparedQuery("SELECT envelope FROM " + prefix + "outbox WHERE event_key = $1 ORDER BY id").execute(Tuple.of(saga)))
        .forEach(row -> steps.add(new JsonObject(row.getString(0)).getJsonObject("payload").getString("step")));
    return steps;
  }

  private static int failureCode(Future<JsonObject> reply) {
    try {
      reply.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      return ((ReplyException) e.getCause()).failureCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
