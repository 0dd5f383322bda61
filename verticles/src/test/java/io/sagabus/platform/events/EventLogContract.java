package io.sagabus.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.platform.events.EventLog.StartFrom;
import io.sagabus.platform.events.EventLog.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link EventLog} must do. Each test runs under a topic prefix of its own. */
abstract class EventLogContract {

  protected static final Duration WAIT = Duration.ofSeconds(60);

  protected Vertx vertx;
  protected EventLog log;
  protected String prefix;
  private final List<Subscription> subscriptions = Collections.synchronizedList(new ArrayList<>());

  protected abstract EventLog create(Vertx vertx, EventLogSettings settings);

  @BeforeEach
  void openLog() {
    vertx = Vertx.vertx();
    prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    log = create(vertx, EventLogSettings.withPrefix(prefix));
  }

  @AfterEach
  void closeLog() throws Exception {
    for (Subscription subscription : List.copyOf(subscriptions)) {
      subscription.close().await(30, TimeUnit.SECONDS);
    }
    log.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void eventsOfOneKey_areDeliveredInPublishOrder_acrossKeysAndPublishes() {
    List<String> keys = List.of("order-a", "order-b", "order-c", "order-d");
    publishInterleaved(keys, 5, 20);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    subscribe("ordered", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      seen.computeIfAbsent(event.key(), key -> Collections.synchronizedList(new ArrayList<>())).add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    List<Integer> expected = IntStream.range(0, 100).boxed().toList();
    await().atMost(WAIT).untilAsserted(() -> keys.forEach(key -> assertThat(seen.get(key)).as(key).isEqualTo(expected)));
  }

  @Test
  void failedHandler_getsTheSameEventAgain_andLaterEventsOfItsKeyWait() {
    List<DomainEvent> events = IntStream.range(0, 10).mapToObj(i -> event(EventTopics.ORDER_CREATED, "order-retry", i)).toList();
    done(log.publish(events));
    List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());
    List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
    int[] failuresLeft = {2};
    subscribe("retrying", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      int seq = event.payload().getInteger("seq");
      attempts.add(seq);
      synchronized (failuresLeft) {
        if (seq == 3 && failuresLeft[0] > 0) {
          failuresLeft[0]--;
          return Future.failedFuture("handler refuses event 3 for now");
        }
      }
      handled.add(seq);
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> handled.size() == 10);
    assertThat(handled).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(attempts).containsExactly(0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void failedHandlerOfOneKey_losesNoEventOfOtherKeys_andItsOwnLaterEventsWaitForIt() {
    List<String> keys = IntStream.range(0, 20).mapToObj(i -> "order-k" + i).toList();
    List<DomainEvent> events = new ArrayList<>();
    for (int seq = 0; seq < 10; seq++) {
      for (String key : keys) {
        events.add(event(EventTopics.ORDER_CREATED, key, seq));
      }
    }
    done(log.publish(events));
    Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
    int[] failuresLeft = {2};
    subscribe("one-key-fails", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      int seq = event.payload().getInteger("seq");
      synchronized (failuresLeft) {
        if (event.key().equals("order-k7") && seq == 4 && failuresLeft[0] > 0) {
          failuresLeft[0]--;
          return Future.failedFuture("handler refuses order-k7's event 4 for now");
        }
      }
      handled.computeIfAbsent(event.key(), key -> Collections.synchronizedList(new ArrayList<>())).add(seq);
      return Future.succeededFuture();
    });
    List<Integer> expected = IntStream.range(0, 10).boxed().toList();
    // Events after a failure may come again (at least once); what counts is each key's first sight of each event.
    await().atMost(WAIT).untilAsserted(() -> keys.forEach(key ->
        assertThat(handled.getOrDefault(key, List.of()).stream().distinct().toList()).as(key).isEqualTo(expected)));
    List<Integer> failingKey = List.copyOf(handled.get("order-k7"));
    assertThat(failingKey.subList(0, failingKey.indexOf(4))).as("order-k7 before its event 4 succeeded").allMatch(seq -> seq < 4);
  }

  @Test
  void groupPosition_survivesResubscribing() throws Exception {
    done(log.publish(IntStream.range(0, 5).mapToObj(i -> event(EventTopics.ORDER_COMPLETED, "order-" + i, i)).toList()));
    List<Integer> first = Collections.synchronizedList(new ArrayList<>());
    Subscription subscription = subscribe("resuming", List.of(EventTopics.ORDER_COMPLETED), StartFrom.EARLIEST, event -> {
      first.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> first.size() == 5);
    subscription.close().await(30, TimeUnit.SECONDS);
    subscriptions.remove(subscription);

    done(log.publish(IntStream.range(5, 8).mapToObj(i -> event(EventTopics.ORDER_COMPLETED, "order-" + i, i)).toList()));
    List<Integer> second = Collections.synchronizedList(new ArrayList<>());
    subscribe("resuming", List.of(EventTopics.ORDER_COMPLETED), StartFrom.EARLIEST, event -> {
      second.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> second.size() >= 3);
    // Nothing else arrives: a moment for a stray redelivery of the first five to show up.
    Thread.sleep(1_000);
    assertThat(second).containsExactlyInAnyOrder(5, 6, 7);
  }

  @Test
  void newGroupFromEarliest_replaysTheLogFromItsStart_whileLatestSeesOnlyNewEvents() {
    done(log.publish(IntStream.range(0, 10).mapToObj(i -> event(EventTopics.INVENTORY_RESERVED, "order-replay", i)).toList()));
    List<Integer> replayed = Collections.synchronizedList(new ArrayList<>());
    List<Integer> live = Collections.synchronizedList(new ArrayList<>());
    subscribe("replaying", List.of(EventTopics.INVENTORY_RESERVED), StartFrom.EARLIEST, event -> {
      replayed.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    subscribe("live", List.of(EventTopics.INVENTORY_RESERVED), StartFrom.LATEST, event -> {
      live.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    done(log.publish(List.of(event(EventTopics.INVENTORY_RESERVED, "order-replay", 10))));
    await().atMost(WAIT).until(() -> replayed.size() == 11 && live.size() == 1);
    assertThat(replayed).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(live).containsExactly(10);
  }

  @Test
  void twoGroups_eachGetEveryEventOfEveryTopicTheyFollow() {
    List<String> topics = List.of(EventTopics.PAYMENT_PROCESSED, EventTopics.PAYMENT_REFUNDED);
    List<DomainEvent> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(event(topics.get(i % 2), "order-" + (i % 7), i));
    }
    done(log.publish(events));
    List<String> ids = events.stream().map(DomainEvent::eventId).toList();
    List<String> projections = Collections.synchronizedList(new ArrayList<>());
    List<String> audit = Collections.synchronizedList(new ArrayList<>());
    subscribe("projections", topics, StartFrom.EARLIEST, event -> {
      projections.add(event.eventId());
      return Future.succeededFuture();
    });
    subscribe("audit", topics, StartFrom.EARLIEST, event -> {
      audit.add(event.eventId());
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> projections.size() >= 30 && audit.size() >= 30);
    assertThat(projections).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(audit).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void envelope_arrivesWhole() {
    DomainEvent sent = new DomainEvent(UUID.randomUUID().toString(), EventTopics.SHIPMENT_CREATED, DomainEvent.SCHEMA_VERSION,
        java.time.Instant.parse("2026-01-02T03:04:05.678Z"), "order-env", "saga-env",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", new JsonObject().put("shipmentId", "sh-1"));
    done(log.publish(List.of(sent)));
    List<DomainEvent> received = Collections.synchronizedList(new ArrayList<>());
    subscribe("envelope", List.of(EventTopics.SHIPMENT_CREATED), StartFrom.EARLIEST, event -> {
      received.add(event);
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> !received.isEmpty());
    assertThat(received).containsExactly(sent);
  }

  @Test
  void unreadableEnvelope_isSkipped_andTheEventsAfterItStillArrive() {
    String key = "order-unreadable";
    done(log.publish(List.of(event(EventTopics.ORDER_CREATED, key, 0))));
    done(log.publishEncoded(List.of(new EncodedEvent(EventTopics.ORDER_CREATED, key, "{\"eventId\": \"no envelope\""))));
    done(log.publish(List.of(event(EventTopics.ORDER_CREATED, key, 1))));
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    subscribe("unreadable", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      seen.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> seen.size() >= 2);
    assertThat(seen).containsExactly(0, 1);
  }

  @Test
  void consumerChangingItsEvent_changesNothingAnotherGroupReceives() {
    done(log.publish(List.of(event(EventTopics.ORDER_CREATED, "order-shared", 7))));
    List<DomainEvent> changed = Collections.synchronizedList(new ArrayList<>());
    subscribe("changer", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      event.payload().put("seq", -1);
      changed.add(event);
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> !changed.isEmpty());
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    subscribe("reader", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      seen.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> !seen.isEmpty());
    assertThat(seen).containsExactly(7);
  }

  @Test
  void batches_keepEachKeysPublishOrder_andLoseNothing() {
    List<String> keys = IntStream.range(0, 8).mapToObj(i -> "order-b" + i).toList();
    publishInterleaved(keys, 4, 25);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    subscribeBatch("batched", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, batch -> {
      sizes.add(batch.size());
      batch.forEach(event -> seen.computeIfAbsent(event.key(), key -> Collections.synchronizedList(new ArrayList<>()))
          .add(event.payload().getInteger("seq")));
      return Future.succeededFuture();
    });
    List<Integer> expected = IntStream.range(0, 100).boxed().toList();
    await().atMost(WAIT).untilAsserted(() -> keys.forEach(key -> assertThat(seen.get(key)).as(key).isEqualTo(expected)));
    assertThat(sizes).as("batch sizes").anyMatch(size -> size > 1).allMatch(size -> size >= 1 && size <= EventLog.MAX_BATCH);
  }

  @Test
  void failedBatch_comesAgainAfterABackoff_inOrder_andEveryEventSucceedsOnce() {
    List<String> topics = List.of(EventTopics.ORDER_CREATED, EventTopics.PAYMENT_PROCESSED);
    List<DomainEvent> events = new ArrayList<>();
    for (int seq = 0; seq < 10; seq++) {
      for (int key = 0; key < 6; key++) {
        for (String topic : topics) {
          events.add(event(topic, "order-f" + key, seq));
        }
      }
    }
    done(log.publish(events));
    Set<String> refused = ConcurrentHashMap.newKeySet();
    Map<String, List<Integer>> handled = new ConcurrentHashMap<>();
    int[] failuresLeft = {2};
    subscribeBatch("batch-retry", topics, StartFrom.EARLIEST, batch -> {
      synchronized (failuresLeft) {
        if (failuresLeft[0] > 0) {
          failuresLeft[0]--;
          batch.forEach(event -> refused.add(event.eventId()));
          return Future.failedFuture("handler refuses this batch for now");
        }
      }
      batch.forEach(event -> handled.computeIfAbsent(event.type() + "/" + event.key(), stream -> Collections.synchronizedList(new ArrayList<>()))
          .add(event.payload().getInteger("seq")));
      return Future.succeededFuture();
    });
    List<Integer> expected = IntStream.range(0, 10).boxed().toList();
    await().atMost(WAIT).until(() -> handled.values().stream().mapToInt(List::size).sum() >= events.size());
    // A successful batch is never delivered again: each stream's events succeed exactly once, in order.
    assertThat(handled).hasSize(12);
    handled.forEach((stream, seqs) -> assertThat(seqs).as(stream).isEqualTo(expected));
    assertThat(refused).isNotEmpty();
  }

  @Test
  void failedBatch_commitsNothing_soTheGroupGetsItWholeAfterResubscribing() throws Exception {
    done(log.publish(IntStream.range(0, 20).mapToObj(i -> event(EventTopics.ORDER_CANCELLED, "order-uncommitted", i)).toList()));
    List<Integer> refused = Collections.synchronizedList(new ArrayList<>());
    Subscription failing = subscribeBatch("batch-uncommitted", List.of(EventTopics.ORDER_CANCELLED), StartFrom.EARLIEST, batch -> {
      batch.forEach(event -> refused.add(event.payload().getInteger("seq")));
      return Future.failedFuture("handler refuses every batch");
    });
    await().atMost(WAIT).until(() -> !refused.isEmpty());
    failing.close().await(30, TimeUnit.SECONDS);
    subscriptions.remove(failing);

    List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
    subscribeBatch("batch-uncommitted", List.of(EventTopics.ORDER_CANCELLED), StartFrom.EARLIEST, batch -> {
      batch.forEach(event -> handled.add(event.payload().getInteger("seq")));
      return Future.succeededFuture();
    });
    await().atMost(WAIT).until(() -> handled.size() >= 20);
    assertThat(handled).isEqualTo(IntStream.range(0, 20).boxed().toList());
  }

  protected Subscription subscribeBatch(String group, List<String> topics, StartFrom from,
      Function<List<DomainEvent>, Future<Void>> handler) {
    Subscription subscription = done(log.subscribeBatch(group, topics, from, handler));
    subscriptions.add(subscription);
    return subscription;
  }

  protected Subscription subscribe(String group, List<String> topics, StartFrom from, Function<DomainEvent, Future<Void>> handler) {
    Subscription subscription = done(log.subscribe(group, topics, from, handler));
    subscriptions.add(subscription);
    return subscription;
  }

  /** {@code publishes} publishes of {@code perKey} order-created events per key, keys interleaved, seq counting up per key. */
  private void publishInterleaved(List<String> keys, int publishes, int perKey) {
    for (int publish = 0; publish < publishes; publish++) {
      List<DomainEvent> events = new ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        for (String key : keys) {
          events.add(event(EventTopics.ORDER_CREATED, key, publish * perKey + i));
        }
      }
      done(log.publish(events));
    }
  }

  protected static DomainEvent event(String type, String key, int seq) {
    return DomainEvent.of(type, key, "saga-" + key, null, new JsonObject().put("seq", seq));
  }

  protected static <T> T done(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }
}
