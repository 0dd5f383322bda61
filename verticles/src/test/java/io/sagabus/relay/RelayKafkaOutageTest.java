package io.sagabus.relay;

import io.sagabus.platform.backend.Backends;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog.StartFrom;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.KafkaEventLog;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Kafka goes away while participants keep writing: the outbox holds the events, and hands every one over, in order, when Kafka is back. */
class RelayKafkaOutageTest {

  private static final int KEYS = 20;

  @Test
  void kafkaStoppedUnderLoad_backlogGrowsThenDrains_noEventLostOrReorderedPerKey() throws Exception {
    String run = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(Backends.pgOptions(PostgresOutboxRelayTest.POSTGRES_URL)).using(vertx).build();
    PgOutbox outbox = new PgOutbox(vertx, pool, Backends.pgOptions(PostgresOutboxRelayTest.POSTGRES_URL), run + "_outbox", 4, PgOutbox.DEFAULT_VACUUM_AFTER_DELETED_ROWS);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaBroker kafka = KafkaBroker.start()) {
      KafkaEventLog log = new KafkaEventLog(vertx, kafka.bootstrap(), EventLogSettings.withPrefix(run + "-"));
      outbox.start().await(30, TimeUnit.SECONDS);
      vertx.deployVerticle(new RelayVerticle(() -> List.of(outbox), log, new RelaySettings(500, 20, 200, 100), registry, "test"))
          .await(30, TimeUnit.SECONDS);

      List<DomainEvent> written = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger seq = new AtomicInteger();
      Thread writer = new Thread(() -> {
        while (writing.get()) {
          int next = seq.getAndIncrement();
          List<DomainEvent> batch = new ArrayList<>();
          for (int key = 0; key < KEYS; key++) {
            batch.add(DomainEvent.of(EventTopics.ORDER_CREATED, run + "-order-" + key, "saga-" + key, null, new JsonObject().put("seq", next)));
          }
          try {
            pool.withTransaction(conn -> outbox.append(conn, batch)).await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          written.addAll(batch);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
      });
      writer.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> written.size() >= 500);

      kafka.stop();
      long pendingAtStop = written.size();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(registry.get("sagabus.outbox.backlog").gauge().value()).as("backlog while Kafka is down").isGreaterThan(300));
      assertThat(written.size()).as("participants kept writing").isGreaterThan((int) pendingAtStop);

      kafka.restart();
      Thread.sleep(1_000);
      writing.set(false);
      writer.join();
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
          assertThat(outbox.backlog().await(10, TimeUnit.SECONDS).pending()).isZero());

      List<DomainEvent> received = Collections.synchronizedList(new ArrayList<>());
      log.subscribe("outage-check", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
        received.add(event);
        return Future.succeededFuture();
      }).await(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(OutboxRelayContract.sequencesByKey(received)).isEqualTo(OutboxRelayContract.sequencesByKey(written)));
      Map<String, List<Integer>> byKey = OutboxRelayContract.sequencesByKey(received);
      assertThat(byKey).hasSize(KEYS);
      byKey.values().forEach(sequence -> assertThat(sequence).isSorted().hasSize(seq.get()));
      log.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      PostgresOutboxRelayTest.dropTablesStartingWith(run + "_outbox");
    }
  }
}
