package io.sagabus.orderview;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagabus.platform.events.DomainEvent;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MergedDeliveriesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    TestCluster.await(vertx.close());
  }

  @Test
  void deliveriesArrivingDuringAWrite_goTogetherIntoTheNextWrite_andEachIsAnsweredByItsOwnWrite() {
    List<DomainEvent> events = OrderEvents.completed("ord-1", "cust", 1, 10, Instant.parse("2026-11-24T08:00:00Z"));
    List<List<DomainEvent>> writes = new CopyOnWriteArrayList<>();
    Promise<Void> firstWrite = Promise.promise();

    List<Future<Void>> answered = TestCluster.await(onContext(() -> {
      MergedDeliveries merged = new MergedDeliveries(vertx, 0, batch -> {
        writes.add(MergedDeliveries.eventsOf(batch));
        Future<Void> written = writes.size() == 1 ? firstWrite.future() : Future.failedFuture("second write refused");
        return written.andThen(done -> batch.forEach(delivery -> delivery.written().handle(done)));
      });
      Future<Void> first = merged.write(events.subList(0, 1));
      // The first write starts on the next turn; these two arrive while it is in flight.
      return vertx.timer(50).compose(ignored -> {
        Future<Void> second = merged.write(events.subList(1, 3));
        Future<Void> third = merged.write(events.subList(3, 6));
        firstWrite.complete();
        return Future.join(first, second, third).transform(settled -> Future.succeededFuture(List.of(first, second, third)));
      });
    }));

    assertThat(writes).containsExactly(events.subList(0, 1), events.subList(1, 6));
    assertThat(answered.get(0).succeeded()).isTrue();
    assertThat(answered.subList(1, 3)).allSatisfy(delivery -> assertThat(delivery.cause()).hasMessage("second write refused"));
  }

  @Test
  void withAWriteInterval_theFirstDeliveryIsWrittenAtOnce_andTheNextOnesWaitForTheIntervalTogether() {
    List<DomainEvent> events = OrderEvents.completed("ord-1", "cust", 1, 10, Instant.parse("2026-11-24T08:00:00Z"));
    List<List<DomainEvent>> writes = new CopyOnWriteArrayList<>();
    List<Long> startedNanos = new CopyOnWriteArrayList<>();

    TestCluster.await(onContext(() -> {
      MergedDeliveries merged = new MergedDeliveries(vertx, 200, batch -> {
        writes.add(MergedDeliveries.eventsOf(batch));
        startedNanos.add(System.nanoTime());
        batch.forEach(delivery -> delivery.written().complete());
        return Future.succeededFuture();
      });
      return merged.write(events.subList(0, 1)).compose(firstWritten -> {
        Future<Void> second = merged.write(events.subList(1, 3));
        // Arrives later, and still before the interval is over: it joins the second.
        return vertx.timer(30).compose(ignored -> Future.all(second, merged.write(events.subList(3, 6))));
      });
    }));

    assertThat(writes).containsExactly(events.subList(0, 1), events.subList(1, 6));
    assertThat(Duration.ofNanos(startedNanos.get(1) - startedNanos.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(190));
  }

  private <T> Future<T> onContext(Supplier<Future<T>> operation) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> operation.get().onComplete(promise));
    return promise.future();
  }
}
