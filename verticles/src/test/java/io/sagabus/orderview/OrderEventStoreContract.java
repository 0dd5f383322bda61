package io.sagabus.orderview;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link OrderEventStore} adapter must do; each adapter's subclass runs it against a fresh store per test. */
abstract class OrderEventStoreContract extends OnOneContext<OrderEventStore> {

  @Override
  Future<Void> start(OrderEventStore store) {
    return store.start();
  }

  /** One order's append; null when it conflicted. */
  private Long append(String orderId, long expectedVersion, List<DomainEvent> events) {
    return run(() -> store.append(List.of(new OrderEventStore.Append(orderId, expectedVersion, events)))).get(orderId);
  }

  private long version(String orderId) {
    return run(() -> store.versions(List.of(orderId))).get(orderId);
  }

  private static List<DomainEvent> events(String orderId) {
    return OrderEvents.completed(orderId, "cust", 2, 50, Instant.parse("2026-11-23T10:00:00Z"));
  }

  @Test
  void appends_numberEventsByAggregateVersion_andReadReturnsThemInOrder() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);

    Long afterFirst = append(orderId, 0, events.subList(0, 2));
    Long afterRest = append(orderId, 2, events.subList(2, events.size()));

    assertThat(afterFirst).isEqualTo(2);
    assertThat(afterRest).isEqualTo(events.size());
    List<OrderEventStore.Stored> stored = run(() -> store.read(orderId));
    assertThat(stored).extracting(OrderEventStore.Stored::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(stored).extracting(entry -> entry.event().eventId()).containsExactlyElementsOf(events.stream().map(DomainEvent::eventId).toList());
    assertThat(stored.get(0).event().payload()).isEqualTo(events.get(0).payload());
    assertThat(version(orderId)).isEqualTo(6L);
    assertThat(version("ord-unknown-" + UUID.randomUUID())).isZero();
  }

  @Test
  void conflictingAppend_isRejected_andTheWriterSucceedsAfterReReading() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    append(orderId, 0, List.of(events.get(0)));
    long readByA = version(orderId);
    long readByB = version(orderId);

    append(orderId, readByA, List.of(events.get(1)));
    Long rejected = append(orderId, readByB, List.of(events.get(2)));
    Long retried = append(orderId, version(orderId), List.of(events.get(2)));

    assertThat(rejected).as("the stale writer's answer").isNull();
    assertThat(retried).isEqualTo(3L);
    assertThat(run(() -> store.read(orderId))).extracting(entry -> entry.event().eventId())
        .containsExactly(events.get(0).eventId(), events.get(1).eventId(), events.get(2).eventId());
  }

  @Test
  void oneStaleOrderInAnAppend_isRefusedAlone_andTheOtherOrdersAppend() {
    List<DomainEvent> stale = events("ord-" + UUID.randomUUID());
    List<DomainEvent> current = events("ord-" + UUID.randomUUID());
    List<DomainEvent> fresh = events("ord-" + UUID.randomUUID());
    String staleId = stale.get(0).key();
    String currentId = current.get(0).key();
    String freshId = fresh.get(0).key();
    append(staleId, 0, stale.subList(0, 2));
    append(currentId, 0, current.subList(0, 1));

    Map<String, Long> answer = run(() -> store.append(List.of(
        new OrderEventStore.Append(currentId, 1, current.subList(1, 3)),
        new OrderEventStore.Append(staleId, 1, stale.subList(2, 3)),
        new OrderEventStore.Append(freshId, 0, fresh))));

    assertThat(answer).containsOnlyKeys(currentId, freshId).containsEntry(currentId, 3L).containsEntry(freshId, 6L);
    assertThat(run(() -> store.versions(List.of(staleId, currentId, freshId))))
        .containsEntry(staleId, 2L).containsEntry(currentId, 3L).containsEntry(freshId, 6L);
    assertThat(run(() -> store.read(currentId))).extracting(entry -> entry.event().eventId())
        .containsExactlyElementsOf(current.subList(0, 3).stream().map(DomainEvent::eventId).toList());
  }

  @Test
  void concurrentAppendsAtOneVersion_exactlyOneWins() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);

    List<Future<Map<String, Long>>> attempts = new ArrayList<>();
    run(() -> {
      events.forEach(event -> attempts.add(store.append(List.of(new OrderEventStore.Append(orderId, 0, List.of(event))))));
      return Future.join(attempts).transform(settled -> Future.succeededFuture(attempts.size()));
    });

    assertThat(attempts).allMatch(Future::succeeded);
    assertThat(attempts.stream().filter(attempt -> attempt.result().containsKey(orderId)).count()).isEqualTo(1);
    assertThat(version(orderId)).isEqualTo(1L);
  }

  @Test
  void redeliveredEvents_areSkipped_evenWithAStaleVersion() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    append(orderId, 0, events.subList(0, 3));

    Long again = append(orderId, 0, events.subList(0, 3));
    Long mixed = append(orderId, 3, events.subList(2, 4));

    assertThat(again).isEqualTo(3L);
    assertThat(mixed).isEqualTo(4L);
    assertThat(run(() -> store.read(orderId))).hasSize(4);
  }

  @Test
  void competingRecorders_loseNoEvent_andHistoryFoldsEveryStep() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    OrderHistory history = new OrderHistory(vertx, store, 0);

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
  void historyRacingAnotherWriter_reReadsAndAppendsAfterIt() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    AtomicInteger appendCalls = new AtomicInteger();
    OrderEventStore racedOnce = new Delegating(store) {
      @Override
      public Future<Map<String, Long>> append(List<Append> appends) {
        // Another writer takes the order's next version between this writer's version read and its append.
        return appendCalls.getAndIncrement() == 0
            ? store.append(List.of(new Append(orderId, 0, events.subList(0, 1)))).compose(ignored -> store.append(appends))
            : store.append(appends);
      }
    };
    OrderHistory history = new OrderHistory(vertx, racedOnce, 0);

    run(() -> history.recordAll(events));

    assertThat(appendCalls).as("the conflicted append and its retry").hasValue(2);
    assertThat(run(() -> store.read(orderId))).extracting(entry -> entry.event().eventId())
        .containsExactlyElementsOf(events.stream().map(DomainEvent::eventId).toList());
  }

  @Test
  void deliveriesCarryingOneOrderAtOnce_goIntoOneAppend_withoutAVersionConflict() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = events(orderId);
    AtomicInteger versionReads = new AtomicInteger();
    AtomicInteger appendCalls = new AtomicInteger();
    OrderEventStore counting = new Delegating(store) {
      @Override
      public Future<Map<String, Long>> versions(Collection<String> orderIds) {
        versionReads.incrementAndGet();
        return store.versions(orderIds);
      }

      @Override
      public Future<Map<String, Long>> append(List<Append> appends) {
        appendCalls.incrementAndGet();
        return store.append(appends);
      }
    };
    OrderHistory history = new OrderHistory(vertx, counting, 0);

    run(() -> Future.all(events.stream().map(event -> history.recordAll(List.of(event))).toList()));

    assertThat(run(() -> store.read(orderId))).extracting(entry -> entry.event().eventId())
        .containsExactlyElementsOf(events.stream().map(DomainEvent::eventId).toList());
    assertThat(versionReads).as("version reads: none after a conflict").hasValue(1);
    assertThat(appendCalls).hasValue(1);
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
    OrderHistory history = new OrderHistory(vertx, store, 0);

    run(() -> history.recordAll(batch));
    run(() -> history.recordAll(batch));

    for (var expected : List.of(firstEvents, secondEvents)) {
      List<OrderEventStore.Stored> stored = run(() -> store.read(expected.get(0).key()));
      assertThat(stored).extracting(entry -> entry.event().eventId())
          .containsExactlyElementsOf(expected.stream().map(DomainEvent::eventId).toList());
    }
  }

  /** A store that passes every call on, for tests that watch or interfere with some of them. */
  private static class Delegating implements OrderEventStore {
    final OrderEventStore store;

    Delegating(OrderEventStore store) {
      this.store = store;
    }

    @Override
    public Future<Void> start() {
      return store.start();
    }

    @Override
    public Future<Map<String, Long>> versions(Collection<String> orderIds) {
      return store.versions(orderIds);
    }

    @Override
    public Future<List<Stored>> read(String orderId) {
      return store.read(orderId);
    }

    @Override
    public Future<Map<String, Long>> append(List<Append> appends) {
      return store.append(appends);
    }
  }
}
