package io.sagabus.perf;

import io.sagabus.platform.backend.Backends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.KafkaEventLog;
import io.sagabus.platform.outbox.PgOutbox;
import io.sagabus.relay.RelaySettings;
import io.sagabus.relay.RelayVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Events per second the relay drains from a pre-filled PostgreSQL outbox to Kafka, next to the raw Kafka producer
 * sending the same envelopes with the same settings in the same run. Usage:
 * {@code OutboxRelayBench <kafka bootstrap> <postgres url> <events> <keys> <outbox partitions> <batch size>}.
 */
public final class OutboxRelayBench {

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String postgresUrl = args[1];
    int count = Integer.parseInt(args[2]);
    int keys = Integer.parseInt(args[3]);
    int partitions = Integer.parseInt(args[4]);
    int batchSize = Integer.parseInt(args[5]);
    String run = "bench" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    List<DomainEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String orderId = "order-" + (i % keys);
      events.add(DomainEvent.of(EventTopics.ORDER_CREATED, orderId, "saga-" + orderId, null, new JsonObject()
          .put("orderId", orderId).put("customerId", "c-bench").put("seq", i).put("paymentMethod", "card")));
    }
    try {
      double baseline = rawProducer(bootstrap, run, events);
      System.out.printf("RESULT raw-producer events/s=%.0f events=%d%n", baseline, count);
      double relayed = relay(bootstrap, postgresUrl, run, events, partitions, batchSize);
      System.out.printf("RESULT relay events/s=%.0f events=%d outboxPartitions=%d batch=%d%n", relayed, count, partitions, batchSize);
    } finally {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        var mine = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(topic -> topic.startsWith(run)).toList();
        admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  /**
   * The same producer settings as KafkaEventLog, sending every envelope (encoded beforehand, so this is the
   * producer's own ceiling) from one thread and waiting for the last acknowledgement.
   */
  private static double rawProducer(String bootstrap, String run, List<DomainEvent> events) throws Exception {
    String topic = run + "-raw";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, EventLogSettings.DEFAULT_PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "enable.idempotence", "true", "acks", "all",
        "linger.ms", "5", "batch.size", String.valueOf(256 * 1024));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "warm-up", "{}")).get();
      List<ProducerRecord<String, String>> records = events.stream()
          .map(event -> new ProducerRecord<>(topic, event.key(), event.toJson().encode())).toList();
      long start = System.nanoTime();
      records.forEach(producer::send);
      producer.flush();
      return events.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static long recordsIn(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
          .collect(Collectors.toMap(info -> new TopicPartition(topic, info.partition()), info -> OffsetSpec.latest()));
      return admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
    }
  }

  private static double relay(String bootstrap, String postgresUrl, String run, List<DomainEvent> events, int partitions, int batchSize)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(Backends.pgOptions(postgresUrl)).with(new PoolOptions().setMaxSize(4)).using(vertx).build();
    PgOutbox outbox = new PgOutbox(vertx, pool, Backends.pgOptions(postgresUrl), run + "_outbox", partitions, PgOutbox.DEFAULT_VACUUM_AFTER_DELETED_ROWS);
    KafkaEventLog log = new KafkaEventLog(vertx, bootstrap, EventLogSettings.withPrefix(run + "-"));
    try {
      outbox.start().await(30, TimeUnit.SECONDS);
      log.publish(List.of(DomainEvent.of(EventTopics.ORDER_CREATED, "warm-up", null, null, new JsonObject()))).await(60, TimeUnit.SECONDS);
      for (int from = 0; from < events.size(); from += 1_000) {
        List<DomainEvent> chunk = events.subList(from, Math.min(events.size(), from + 1_000));
        pool.withTransaction(conn -> outbox.append(conn, chunk)).await(60, TimeUnit.SECONDS);
      }
      pool.query("VACUUM ANALYZE " + run + "_outbox").execute().await(120, TimeUnit.SECONDS);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      long start = System.nanoTime();
      vertx.deployVerticle(new RelayVerticle(() -> List.of(outbox), log, new RelaySettings(batchSize, 20, 1_000, 60_000), registry, "bench"))
          .await(30, TimeUnit.SECONDS);
      while (registry.get("sagabus.outbox.published").counter().count() < events.size()) {
        Thread.sleep(5);
      }
      double perSecond = events.size() / ((System.nanoTime() - start) / 1e9);
      long inTopic = recordsIn(bootstrap, run + "-" + EventTopics.ORDER_CREATED) - 1;
      if (inTopic < events.size()) {
        throw new IllegalStateException("the topic holds " + inTopic + " of " + events.size() + " relayed events");
      }
      System.out.printf("CHECK relay topic holds %d records for %d events%n", inTopic, events.size());
      return perSecond;
    } finally {
      pool.query("DROP TABLE IF EXISTS " + run + "_outbox").execute().await(30, TimeUnit.SECONDS);
      log.close().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
