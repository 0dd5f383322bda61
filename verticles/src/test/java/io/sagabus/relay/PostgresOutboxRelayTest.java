package io.sagabus.relay;

import io.sagabus.platform.backend.Backends;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.KafkaEventLog;
import io.sagabus.platform.outbox.Outbox;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The relay over a PostgreSQL outbox table of this run and a real Kafka broker (checked with real consumers). */
class PostgresOutboxRelayTest extends OutboxRelayContract {

  static final String POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private Pool pool;
  private String table;

  @Override
  protected EventLog createLog(Vertx vertx) {
    return new KafkaEventLog(vertx, KafkaBroker.shared().bootstrap(), EventLogSettings.withPrefix(run + "-"));
  }

  @Override
  protected void prepare() throws Exception {
    pool = PgBuilder.pool().connectingTo(Backends.pgOptions(POSTGRES_URL)).with(new PoolOptions().setMaxSize(4)).using(vertx).build();
    table = run + "_outbox";
    outboxView().start().await(30, TimeUnit.SECONDS);
  }

  @Override
  protected void cleanUp() throws Exception {
    KafkaBroker.shared().deleteTopicsStartingWith(run + "-");
    dropTablesStartingWith(table);
  }

  /** Drops a test's tables on a Vert.x of its own, after the test's relays are gone. */
  static void dropTablesStartingWith(String prefix) throws Exception {
    Vertx cleanup = Vertx.vertx();
    try {
      Pool own = PgBuilder.pool().connectingTo(Backends.pgOptions(POSTGRES_URL)).using(cleanup).build();
      List<String> tables = new ArrayList<>();
      own.preparedQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND starts_with(tablename, $1)")
          .execute(Tuple.of(prefix)).await(30, TimeUnit.SECONDS).forEach(row -> tables.add(row.getString(0)));
      if (!tables.isEmpty()) {
        own.query("DROP TABLE IF EXISTS " + String.join(", ", tables)).execute().await(30, TimeUnit.SECONDS);
      }
    } finally {
      cleanup.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void appendsAreNotedPerConnection_andOnlyWhatACommittedTransactionSignalsWakesTheListeners() throws Exception {
    PgOutbox outbox = outboxView();
    List<Integer> signals = Collections.synchronizedList(new ArrayList<>());
    Outbox.Subscription listening = outbox.onAppended(signals::add).await(30, TimeUnit.SECONDS);
    String first = run + "-order-0";
    String second = IntStream.range(1, 100).mapToObj(i -> run + "-order-" + i)
        .filter(key -> Outbox.partitionOf(key, 4) != Outbox.partitionOf(first, 4)).findFirst().orElseThrow();

    Set<Integer> rolledBack = new HashSet<>();
    Future<Void> refused = pool.withTransaction(conn -> outbox.append(conn, List.of(event(first)))
        .andThen(ignored -> rolledBack.addAll(outbox.takeAppended(conn)))
        .compose(ignored -> Future.<Void>failedFuture("step refused")));
    assertThatThrownBy(() -> refused.await(30, TimeUnit.SECONDS)).hasMessageContaining("step refused");
    Set<Integer> committed = new HashSet<>();
    pool.withTransaction(conn -> outbox.append(conn, List.of(event(second)))
        .compose(ignored -> outbox.append(conn, List.of(event(second), event(second))))
        .andThen(ignored -> committed.addAll(outbox.takeAppended(conn)))).await(30, TimeUnit.SECONDS);
    outbox.signal(committed);

    assertThat(rolledBack).containsExactly(Outbox.partitionOf(first, 4));
    assertThat(committed).containsExactly(Outbox.partitionOf(second, 4));
    await().atMost(WAIT).until(() -> !signals.isEmpty());
    assertThat(signals).containsExactly(Outbox.partitionOf(second, 4));
    listening.cancel().await(30, TimeUnit.SECONDS);
  }

  @Test
  void publishedRowsAreDeleted_andTheRelayVacuumsThemAway_withoutAutovacuum() throws Exception {
    deployRelay(new PgOutbox(vertx, pool, Backends.pgOptions(POSTGRES_URL), table, 4, 100));
    awaitAllReceived(write(50, 6), WAIT);

    await().atMost(WAIT).until(() -> registry.get("sagabus.outbox.vacuum").tag("outbox", table).functionTimer().count() >= 1);
    // This database runs with autovacuum off; the column counts only VACUUMs that someone ran.
    assertThat(pool.preparedQuery("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = $1")
        .execute(Tuple.of(table)).await(30, TimeUnit.SECONDS).iterator().next().getLong(0)).isGreaterThanOrEqualTo(1);
    assertThat(pool.query("SELECT count(*) FROM " + table).execute().await(30, TimeUnit.SECONDS).iterator().next().getLong(0))
        .as("rows left after everything was published").isZero();
  }

  private static DomainEvent event(String key) {
    return DomainEvent.of(EventTopics.ORDER_CREATED, key, "saga-" + key, null, new JsonObject());
  }

  @Override
  protected PgOutbox outboxView() {
    return new PgOutbox(vertx, pool, Backends.pgOptions(POSTGRES_URL), table, 4, PgOutbox.DEFAULT_VACUUM_AFTER_DELETED_ROWS);
  }

  /** As a step ledger does it: the partitions are taken before the connection goes back, and signalled after the commit. */
  @Override
  protected Future<Void> append(List<DomainEvent> events) {
    PgOutbox outbox = outboxView();
    Set<Integer> appendedTo = new HashSet<>();
    return pool.withTransaction(conn -> outbox.append(conn, events).andThen(ignored -> appendedTo.addAll(outbox.takeAppended(conn))))
        .onSuccess(ignored -> outbox.signal(appendedTo));
  }
}
