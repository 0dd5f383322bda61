package io.sagabus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventLog.StartFrom;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the relay does over every outbox and event log pair. */
abstract class OutboxRelayContract {

  protected static final Duration WAIT = Duration.ofSeconds(90);
  protected static final RelaySettings FAST = new RelaySettings(500, 20, 200, 100);
  /** A safety-net poll far longer than the test waits, so only a wake-up can publish in time. */
  protected static final RelaySettings POLL_EVERY_30_S = new RelaySettings(500, 30_000, 200, 100);

  protected Vertx vertx;
  /** The meters of every relay a test deploys. */
  protected final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  protected EventLog log;
  protected String run;
  /** Every delivery from the log, in arrival order. */
  protected final List<DomainEvent> received = Collections.synchronizedList(new ArrayList<>());

  /** The event log relayed to, under a topic prefix of {@link #run}. */
  protected abstract EventLog createLog(Vertx vertx);

  /** The outbox under test; each call is another relay's view of the same outbox (its own leases). */
  protected abstract Outbox outboxView();

  /** Appends as a participant does, in one transaction or turn. */
  protected abstract Future<Void> append(List<DomainEvent> events);

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    run = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    log = createLog(vertx);
    prepare();
    log.subscribe("relay-contract", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      received.add(event);
      return Future.succeededFuture();
    }).await(60, TimeUnit.SECONDS);
  }

  /** Creates what the outbox needs before the test appends. */
  protected void prepare() throws Exception {}

  @AfterEach
  void close() throws Exception {
    log.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
    cleanUp();
  }

  /** Removes what the test left in shared backends, once its relays are gone. */
  protected void cleanUp() throws Exception {}

  @Test
  void relay_publishesEveryPendingEventOnce_inWriteOrderPerKey() throws Exception {
    List<DomainEvent> written = write(40, 50);
    assertThat(outboxView().backlog().await(10, TimeUnit.SECONDS).pending()).isEqualTo(written.size());

    deployRelay(outboxView());

    awaitAllReceived(written);
    assertThat(outboxView().backlog().await(10, TimeUnit.SECONDS).pending()).isZero();
    Thread.sleep(500);
    assertThat(received).hasSize(written.size());
    assertThat(sequencesByKey(received)).isEqualTo(sequencesByKey(written));
  }

  @Test
  void twoRelaysContending_publishEachEventOnce_inWriteOrderPerKey() throws Exception {
    List<DomainEvent> written = new ArrayList<>(write(20, 40));
    deployRelay(outboxView());
    deployRelay(outboxView());
    written.addAll(write(20, 40, 40));

    awaitAllReceived(written);
    Thread.sleep(500);
    assertThat(received).as("no event published twice").hasSize(written.size());
    assertThat(sequencesByKey(received)).isEqualTo(sequencesByKey(written));
  }

  @Test
  void partitionLease_isHeldByOneRelayAtATime_andFreedWhenItsHolderGoesAway() throws Exception {
    Outbox first = outboxView();
    Outbox second = outboxView();
    Outbox.Lease held = first.lease(0);
    Outbox.Lease contender = second.lease(0);
    assertThat(held.tryAcquire().await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(contender.tryAcquire().await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(second.lease(1).tryAcquire().await(10, TimeUnit.SECONDS)).as("another partition is free").isTrue();
    assertThat(held.tryAcquire().await(10, TimeUnit.SECONDS)).as("the holder keeps it").isTrue();

    held.close().await(10, TimeUnit.SECONDS);
    assertThat(contender.tryAcquire().await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.lease(0).tryAcquire().await(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void eventAppendedToAnIdleOutbox_isPublishedOnItsWakeUp_withoutWaitingForThePoll() throws Exception {
    deployRelay(outboxView(), POLL_EVERY_30_S);
    // The relay's first round may take the first event; afterwards its partition waits for the 30 s poll.
    awaitAllReceived(write(1, 1), WAIT);

    List<DomainEvent> appendedWhileIdle = write(1, 1, 1);

    awaitAllReceived(appendedWhileIdle, Duration.ofSeconds(10));
  }

  protected void deployRelay(Outbox outbox) throws Exception {
    deployRelay(outbox, FAST);
  }

  protected void deployRelay(Outbox outbox, RelaySettings settings) throws Exception {
    vertx.deployVerticle(new RelayVerticle(() -> List.of(outbox), log, settings, registry, "test"))
        .await(30, TimeUnit.SECONDS);
  }

  protected List<DomainEvent> write(int keys, int perKey) throws Exception {
    return write(keys, perKey, 0);
  }

  /** {@code perKey} events for each of {@code keys} orders, numbered from {@code firstSeq}, in small transactions. */
  protected List<DomainEvent> write(int keys, int perKey, int firstSeq) throws Exception {
    List<DomainEvent> written = new ArrayList<>();
    for (int seq = firstSeq; seq < firstSeq + perKey; seq++) {
      List<DomainEvent> batch = new ArrayList<>();
      for (int key = 0; key < keys; key++) {
        batch.add(DomainEvent.of(EventTopics.ORDER_CREATED, run + "-order-" + key, "saga-" + key, null, new JsonObject().put("seq", seq)));
      }
      append(batch).await(30, TimeUnit.SECONDS);
      written.addAll(batch);
    }
    return written;
  }

  protected void awaitAllReceived(List<DomainEvent> written) {
    awaitAllReceived(written, WAIT);
  }

  protected void awaitAllReceived(List<DomainEvent> written, Duration atMost) {
    Set<String> expected = written.stream().map(DomainEvent::eventId).collect(Collectors.toSet());
    await().atMost(atMost).until(() -> {
      synchronized (received) {
        return received.stream().map(DomainEvent::eventId).collect(Collectors.toSet()).containsAll(expected);
      }
    });
  }

  /** Each key's sequence numbers in the order first seen; a redelivered duplicate does not count again. */
  protected static Map<String, List<Integer>> sequencesByKey(List<DomainEvent> events) {
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    synchronized (events) {
      for (DomainEvent event : events) {
        if (seen.add(event.eventId())) {
          byKey.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event.payload().getInteger("seq"));
        }
      }
    }
    return byKey;
  }
}
