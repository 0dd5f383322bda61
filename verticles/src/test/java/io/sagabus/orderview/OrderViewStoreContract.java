package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventTopics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What every {@link OrderViewStore} adapter must do; each adapter's subclass runs it against a fresh store per test. */
abstract class OrderViewStoreContract extends OnOneContext<OrderViewStore> {

  @Override
  Future<Void> start(OrderViewStore store) {
    return store.start();
  }

  private int active() {
    return run(store::activeGeneration);
  }

  private void applyAll(int generation, List<DomainEvent> events) {
    for (DomainEvent event : events) {
      run(() -> store.apply(generation, event));
    }
  }

  @Test
  void completedOrderEvents_foldIntoOneDenormalizedView() {
    String orderId = "ord-" + UUID.randomUUID();
    applyAll(active(), OrderEvents.completed(orderId, "cust-1", 3, 250, Instant.parse("2026-11-23T10:00:00Z")));

    JsonObject view = run(() -> store.get(orderId));

    assertThat(view.getString("status")).isEqualTo("COMPLETED");
    assertThat(view.getString("sagaOutcome")).isEqualTo("COMPLETED");
    assertThat(view.getString("customerId")).isEqualTo("cust-1");
    assertThat(view.getJsonObject("totals").getLong("amount")).isEqualTo(750L);
    assertThat(view.getJsonObject("totals").getLong("itemCount")).isEqualTo(3L);
    assertThat(view.getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(250L);
    assertThat(view.getString("inventory")).isEqualTo("CONFIRMED");
    assertThat(view.getString("payment")).isEqualTo("PROCESSED");
    assertThat(view.getString("shipment")).isEqualTo("CREATED");
    assertThat(view.getJsonArray("timeline")).hasSize(6);
    assertThat(view.getJsonArray("timeline").getJsonObject(5).getString("type")).isEqualTo(EventTopics.ORDER_COMPLETED);
  }

  @Test
  void duplicateEvents_leaveTheViewAndInboxUnchanged() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.cancelled(orderId, "cust-2", 1, 100, Instant.parse("2026-11-23T10:00:00Z"));
    int generation = active();
    applyAll(generation, events);
    JsonObject before = run(() -> store.get(orderId));
    long appliedBefore = run(() -> store.appliedCount(generation));

    List<Boolean> redelivered = new ArrayList<>();
    for (DomainEvent event : events) {
      redelivered.add(run(() -> store.apply(generation, event)));
    }

    assertThat(redelivered).containsOnly(false);
    assertThat(run(() -> store.get(orderId))).isEqualTo(before);
    assertThat(run(() -> store.appliedCount(generation))).isEqualTo(appliedBefore).isEqualTo(4L);
    assertThat(before.getString("status")).isEqualTo("CANCELLED");
    assertThat(before.getString("sagaOutcome")).isEqualTo("COMPENSATED");
  }

  @Test
  void eventsArrivingInAnyOrder_foldToTheSameView() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.completed(orderId, "cust-3", 2, 40, Instant.parse("2026-11-23T10:00:00Z"));
    applyAll(active(), events);
    JsonObject inOrder = run(() -> store.get(orderId));
    int other = run(store::createGeneration);

    List<DomainEvent> reversed = new ArrayList<>(events);
    Collections.reverse(reversed);
    applyAll(other, reversed);
    run(() -> store.activate(other));

    assertThat(run(() -> store.get(orderId))).isEqualTo(inOrder);
  }

  @Test
  void concurrentEventsOfOneOrder_areAllApplied() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.completed(orderId, "cust-4", 1, 10, Instant.parse("2026-11-23T10:00:00Z"));
    int generation = active();

    List<Future<Boolean>> all = new ArrayList<>();
    run(() -> {
      events.forEach(event -> all.add(store.apply(generation, event)));
      return Future.all(all);
    });

    JsonObject view = run(() -> store.get(orderId));
    assertThat(view.getJsonArray("timeline")).hasSize(events.size());
    assertThat(view.getString("status")).isEqualTo("COMPLETED");
  }

  @Test
  void sameEventDeliveredTwiceAtOnce_isAppliedOnce() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.completed(orderId, "cust-5", 1, 10, Instant.parse("2026-11-23T10:00:00Z"));
    int generation = active();

    List<Future<Boolean>> all = new ArrayList<>();
    run(() -> {
      for (DomainEvent event : events) {
        all.add(store.apply(generation, event));
        all.add(store.apply(generation, event));
      }
      return Future.all(all);
    });

    assertThat(all.stream().filter(applied -> applied.result()).count()).isEqualTo(events.size());
    assertThat(run(() -> store.get(orderId)).getJsonArray("timeline")).hasSize(events.size());
    assertThat(run(() -> store.appliedCount(generation))).isEqualTo(events.size());
  }

  @Test
  void query_filtersByCustomerAndStatus_andPagesNewestFirstWithoutGapsOrRepeats() {
    Instant start = Instant.parse("2026-11-23T10:00:00Z");
    List<String> aliceCompleted = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String orderId = "ord-a" + i;
      aliceCompleted.add(orderId);
      applyAll(active(), OrderEvents.completed(orderId, "alice", 1, 10, start.plusSeconds(i)));
    }
    applyAll(active(), OrderEvents.cancelled("ord-a-cancelled", "alice", 1, 10, start.plusSeconds(20)));
    applyAll(active(), OrderEvents.completed("ord-b", "bob", 1, 10, start.plusSeconds(30)));

    List<String> paged = new ArrayList<>();
    ViewCursor cursor = null;
    int pages = 0;
    do {
      ViewCursor after = cursor;
      OrderViewStore.Page page = run(() -> store.query(new ViewQuery("alice", "COMPLETED", 3, after)));
      page.items().forEach(view -> paged.add(view.getString("orderId")));
      cursor = page.next();
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    Collections.reverse(aliceCompleted);
    assertThat(paged).containsExactlyElementsOf(aliceCompleted);
    assertThat(run(() -> store.query(new ViewQuery(null, "CANCELLED", 10, null))).items())
        .extracting(view -> view.getString("orderId")).containsExactly("ord-a-cancelled");
    assertThat(run(() -> store.query(new ViewQuery(null, null, 100, null))).items()).hasSize(9);
  }

  @Test
  void newGeneration_isInvisibleUntilActivated_thenReplacesTheOldAtOnce() {
    int live = active();
    applyAll(live, OrderEvents.completed("ord-old", "carol", 1, 10, Instant.parse("2026-11-23T10:00:00Z")));
    int rebuilt = run(store::createGeneration);
    applyAll(rebuilt, OrderEvents.completed("ord-new", "carol", 1, 10, Instant.parse("2026-11-23T10:00:01Z")));

    Set<String> beforeSwitch = ids(run(() -> store.query(new ViewQuery("carol", null, 10, null))));
    run(() -> store.activate(rebuilt));
    Set<String> afterSwitch = ids(run(() -> store.query(new ViewQuery("carol", null, 10, null))));
    run(() -> store.drop(live));

    assertThat(beforeSwitch).containsExactly("ord-old");
    assertThat(afterSwitch).containsExactly("ord-new");
    assertThat(active()).isEqualTo(rebuilt);
    assertThat(run(() -> store.appliedCount(rebuilt))).isEqualTo(6L);
  }

  @Test
  void batchOfManyOrders_interleaved_foldsEachOrderWhole_inOneCall() {
    Instant start = Instant.parse("2026-11-23T10:00:00Z");
    List<List<DomainEvent>> orders = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      orders.add(i % 10 == 0 ? OrderEvents.cancelled("ord-many-" + i, "dave", 1, 10, start.plusSeconds(i))
          : OrderEvents.completed("ord-many-" + i, "dave", 2, 10, start.plusSeconds(i)));
    }
    // As a poll holds them: every order's first event, then every order's second, and so on.
    List<DomainEvent> batch = new ArrayList<>();
    for (int step = 0; step < 6; step++) {
      for (List<DomainEvent> order : orders) {
        if (step < order.size()) {
          batch.add(order.get(step));
        }
      }
    }
    int generation = active();

    Set<String> applied = run(() -> store.applyBatch(generation, batch));

    assertThat(applied).hasSize(batch.size());
    assertThat(run(() -> store.appliedCount(generation))).isEqualTo(batch.size());
    for (int i = 0; i < 300; i++) {
      String orderId = "ord-many-" + i;
      JsonObject view = run(() -> store.get(orderId));
      assertThat(view.getJsonArray("timeline")).as(orderId).hasSize(orders.get(i).size());
      assertThat(view.getString("status")).as(orderId).isEqualTo(i % 10 == 0 ? "CANCELLED" : "COMPLETED");
    }
  }

  @Test
  void duplicatesInsideOneBatchAndAcrossBatches_changeNothing() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.completed(orderId, "cust-6", 2, 30, Instant.parse("2026-11-23T10:00:00Z"));
    int generation = active();

    Set<String> first = run(() -> store.applyBatch(generation, List.of(events.get(0), events.get(1), events.get(0), events.get(2), events.get(1))));
    Set<String> second = run(() -> store.applyBatch(generation, List.of(events.get(2), events.get(3), events.get(4), events.get(5), events.get(5))));
    JsonObject view = run(() -> store.get(orderId));
    Set<String> third = run(() -> store.applyBatch(generation, events));

    assertThat(first).containsExactlyInAnyOrder(events.get(0).eventId(), events.get(1).eventId(), events.get(2).eventId());
    assertThat(second).containsExactlyInAnyOrder(events.get(3).eventId(), events.get(4).eventId(), events.get(5).eventId());
    assertThat(third).isEmpty();
    assertThat(view.getJsonArray("timeline")).hasSize(6);
    assertThat(run(() -> store.get(orderId))).isEqualTo(view);
    assertThat(run(() -> store.appliedCount(generation))).isEqualTo(6L);
  }

  @Test
  void eventsOfOneOrderInOneBatch_foldInListOrder_asOneByOneWould() {
    String orderId = "ord-" + UUID.randomUUID();
    Instant at = Instant.parse("2026-11-23T10:00:00Z");
    List<DomainEvent> events = new ArrayList<>(OrderEvents.completed(orderId, "cust-7", 1, 100, at));
    // A corrected charge: the later payment event in the list must win.
    events.add(3, OrderEvents.event(EventTopics.PAYMENT_PROCESSED, orderId, at.plusMillis(2),
        new JsonObject().put("customerId", "cust-7").put("amount", 90L)));
    int generation = active();
    applyAll(generation, events);
    JsonObject oneByOne = run(() -> store.get(orderId));
    int other = run(store::createGeneration);

    run(() -> store.applyBatch(other, events));
    run(() -> store.activate(other));

    JsonObject batched = run(() -> store.get(orderId));
    assertThat(batched).isEqualTo(oneByOne);
    assertThat(batched.getJsonObject("totals").getLong("charged")).isEqualTo(90L);
  }

  @Test
  void failedBatch_leavesNothingApplied_andCanBeAppliedAgain() {
    Instant at = Instant.parse("2026-11-23T10:00:00Z");
    List<DomainEvent> good = new ArrayList<>(OrderEvents.completed("ord-fail-a", "erin", 1, 10, at));
    good.addAll(OrderEvents.completed("ord-fail-b", "erin", 1, 10, at));
    List<DomainEvent> withUnfoldable = new ArrayList<>(good);
    withUnfoldable.add(OrderEvents.event(EventTopics.ORDER_CREATED, "ord-fail-c", at, new JsonObject().put("items", "not a list")));
    int generation = active();

    Throwable failure = runFailing(() -> store.applyBatch(generation, withUnfoldable));
    long appliedAfterFailure = run(() -> store.appliedCount(generation));
    JsonObject viewAfterFailure = run(() -> store.get("ord-fail-a"));
    Set<String> retried = run(() -> store.applyBatch(generation, good));

    assertThat(failure).isNotNull();
    assertThat(appliedAfterFailure).isZero();
    assertThat(viewAfterFailure).isNull();
    assertThat(retried).hasSize(good.size());
    assertThat(run(() -> store.get("ord-fail-a")).getString("status")).isEqualTo("COMPLETED");
  }

  @Test
  void concurrentBatchesTouchingTheSameOrders_allLand() {
    Instant start = Instant.parse("2026-11-23T10:00:00Z");
    List<DomainEvent> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.addAll(OrderEvents.completed("ord-conc-" + i, "frank", 1, 10, start.plusSeconds(i)));
    }
    // Split by type, as batches from different partitions would be, and applied at once.
    List<List<DomainEvent>> byType = new ArrayList<>(all.stream()
        .collect(Collectors.groupingBy(DomainEvent::type)).values());
    int generation = active();

    run(() -> Future.all(byType.stream().map(batch -> store.applyBatch(generation, batch)).toList()));

    for (int i = 0; i < 50; i++) {
      String orderId = "ord-conc-" + i;
      JsonObject view = run(() -> store.get(orderId));
      assertThat(view.getJsonArray("timeline")).as(orderId).hasSize(6);
      assertThat(view.getString("status")).as(orderId).isEqualTo("COMPLETED");
    }
  }

  private static Set<String> ids(OrderViewStore.Page page) {
    Set<String> ids = new HashSet<>();
    page.items().forEach(view -> ids.add(view.getString("orderId")));
    return ids;
  }
}
