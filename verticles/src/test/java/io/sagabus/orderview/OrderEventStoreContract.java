package io.sagabus.orderview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What every {@link OrderEventStore} adapter must do; each adapter's subclass runs it against a fresh store per test. */
abstract class OrderEventStoreContract extends OnOneContext<OrderEventStore> {

  @Override
  Future<Void> start(OrderEventStore store) {
    return store.start();
  }

  private Throwable failureOf(Supplier<Future<Long>> operation) {
    return run(() -> operation.get().transform(result -> Future.succeededFuture(result.cause())));
  }

  private static List<DomainEvent> events(String orderId) {
    return OrderEvents.completed(orderId, "cust", 2, 50, Instant.parse("2026-11-23T10:00:00Z"));
  }

  @Test
  void appends_numberEventsByAggregateVersion_andReadReturnsThemInOrder() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);

    long afterFirst = run(() -> store.append(orderId, 0, events.subList(0, 2)));
    long afterRest = run(() -> store.append(orderId, 2, events.subList(2, events.size())));

    assertThat(afterFirst).isEqualTo(2);
    assertThat(afterRest).isEqualTo(events.size());
    List<OrderEventStore.Stored> stored = run(() -> store.read(orderId));
    assertThat(stored).extracting(OrderEventStore.Stored::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(stored).extracting(entry -> entry.event().eventId()).containsExactlyElementsOf(events.stream().map(DomainEvent::eventId).toList());
    assertThat(stored.get(0).event().payload()).isEqualTo(events.get(0).payload());
    assertThat(run(() -> store.version(orderId))).isEqualTo(6L);
  }

  @Test
  void conflictingAppend_isRejected_andTheWriterSucceedsAfterReReading() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    run(() -> store.append(orderId, 0, List.of(events.get(0))));
    long readByA = run(() -> store.version(orderId));
    long readByB = run(() -> store.version(orderId));

    run(() -> store.append(orderId, readByA, List.of(events.get(1))));
    Throwable rejected = failureOf(() -> store.append(orderId, readByB, List.of(events.get(2))));
    long reRead = run(() -> store.version(orderId));
    long retried = run(() -> store.append(orderId, reRead, List.of(events.get(2))));

    assertThat(rejected).isInstanceOf(OrderEventStore.VersionConflict.class)
        .hasMessageContaining(orderId).hasMessageContaining("expected 1").hasMessageContaining("re-read and retry");
    assertThat(retried).isEqualTo(3L);
    assertThat(run(() -> store.read(orderId))).extracting(entry -> entry.event().eventId())
        .containsExactly(events.get(0).eventId(), events.get(1).eventId(), events.get(2).eventId());
  }

  @Test
  void concurrentAppendsAtOneVersion_exactlyOneWins() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);

    List<Future<Long>> attempts = new ArrayList<>();
    run(() -> {
      events.forEach(event -> attempts.add(store.append(orderId, 0, List.of(event))));
      return Future.join(attempts).transform(settled -> Future.succeededFuture(attempts.size()));
    });

    assertThat(attempts.stream().filter(Future::succeeded).count()).isEqualTo(1);
    assertThat(attempts.stream().filter(Future::failed).map(Future::cause))
        .hasSize(events.size() - 1).allMatch(failure -> failure instanceof OrderEventStore.VersionConflict);
    assertThat(run(() -> store.version(orderId))).isEqualTo(1L);
  }

  @Test
  void redeliveredEvents_areSkipped_evenWithAStaleVersion() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    run(() -> store.append(orderId, 0, events.subList(0, 3)));

    long again = run(() -> store.append(orderId, 0, events.subList(0, 3)));
    long mixed = run(() -> store.append(orderId, 3, events.subList(2, 4)));

    assertThat(again).isEqualTo(3L);
    assertThat(mixed).isEqualTo(4L);
    assertThat(run(() -> store.read(orderId))).hasSize(4);
  }

  @Test
  void competingRecorders_loseNoEvent_andHistoryFoldsEveryStep() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    OrderHistory history = new OrderHistory(store);

    run(() -> Future.all(events.stream().map(event -> history.recordAll(List.of(event))).toList()));
    JsonObject rebuilt = run(() -> history.history(orderId));

    assertThat(rebuilt.getLong("version")).isEqualTo(6L);
    assertThat(rebuilt.getJsonArray("steps")).hasSize(6);
    assertThat(rebuilt.getJsonObject("state").getString("status")).isEqualTo("COMPLETED");
    assertThat(rebuilt.getJsonObject("state").getJsonObject("totals").getLong("amount")).isEqualTo(100L);
    for (int i = 0; i < 6; i++) {
      assertThat(rebuilt.getJsonArray("steps").getJsonObject(i).getJsonObject("state").getJsonArray("timeline")).hasSize(i + 1);
    }
    assertThat(run(() -> history.history("ord-unknown-" + UUID.randomUUID()))).isNull();
  }

  @Test
  void deliveriesCarryingOneOrderAtOnce_appendOneAfterAnother_withoutAVersionConflict() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    AtomicInteger versionReads = new AtomicInteger();
    OrderEventStore counting = new OrderEventStore() {
      @Override
      public Future<Void> start() {
        return store.start();
      }

      @Override
      public Future<Long> version(String id) {
        versionReads.incrementAndGet();
        return store.version(id);
      }

      @Override
      public Future<List<Stored>> read(String id) {
        return store.read(id);
      }

      @Override
      public Future<Long> append(String id, long expectedVersion, List<DomainEvent> toAppend) {
        return store.append(id, expectedVersion, toAppend);
      }
    };
    OrderHistory history = new OrderHistory(counting);

    run(() -> Future.all(events.stream().map(event -> history.recordAll(List.of(event))).toList()));

    assertThat(run(() -> store.read(orderId))).hasSize(events.size());
    assertThat(versionReads).as("one version read per append: none re-read after a conflict").hasValue(events.size());
  }

  @Test
  void batchInterleavingTwoOrders_appendsEachOrdersEventsInTheirOrder_andItsRedeliveryAddsNothing() {
    String first = "ord-" + UUID.randomUUID();
    String second = "ord-" + UUID.randomUUID();
    List<DomainEvent> firstEvents = events(first);
    List<DomainEvent> secondEvents = events(second);
    List<DomainEvent> batch = new ArrayList<>();
    for (int i = 0; i < firstEvents.size(); i++) {
      batch.add(firstEvents.get(i));
      batch.add(secondEvents.get(i));
    }
    OrderHistory history = new OrderHistory(store);

    run(() -> history.recordAll(batch));
    run(() -> history.recordAll(batch));

    for (var expected : List.of(firstEvents, secondEvents)) {
      List<OrderEventStore.Stored> stored = run(() -> store.read(expected.get(0).key()));
      assertThat(stored).extracting(entry -> entry.event().eventId())
          .containsExactlyElementsOf(expected.stream().map(DomainEvent::eventId).toList());
    }
  }
}
