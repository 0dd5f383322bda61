package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.saga.contract.SagaStatus;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What every {@link SagaStore} adapter must do; each adapter's test class runs this suite against a real backend. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SagaStoreContract {

  static final SagaDefinition TWO_STEPS = SagaDefinition.named("contract")
      .step("first").invoke("svc.first").compensateWith("svc.undo-first")
      .step("second").invoke("svc.second")
      .build();

  private Context context;

  /** The Vert.x that store operations run on. */
  abstract Vertx vertx();

  /** A started store, fresh (its own tables or maps) for each test class. */
  abstract SagaStore store();

  /** Runs a store operation on one event-loop context, as the saga verticle does, and waits for it. */
  <T> T run(Supplier<Future<T>> operation) {
    if (context == null) {
      context = vertx().getOrCreateContext();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> operation.get().onComplete(promise));
    return TestCluster.await(promise.future());
  }

  SagaInstance newSaga(String owner, String idempotencyKey, String hash) {
    SagaInstance saga = SagaInstance.create(UUID.randomUUID().toString(), TWO_STEPS, new JsonObject().put("n", 1),
        idempotencyKey, hash, owner, System.currentTimeMillis());
    saga.status = SagaStatus.RUNNING;
    return saga;
  }

  @Test
  void create_thenGet_returnsTheSameSaga() {
    SagaInstance saga = newSaga("node-a", null, null);
    saga.steps.get(0).add(new SagaInstance.Attempt("invoke", 1, 1L, 2L, "ok", null, null));

    SagaInstance created = run(() -> store().create(saga));
    SagaInstance loaded = run(() -> store().get(saga.id()));

    assertThat(created).isSameAs(saga);
    assertThat(loaded.toJson()).isEqualTo(saga.toJson());
    assertThat(run(() -> store().get(UUID.randomUUID().toString()))).isNull();
  }

  @Test
  void createWithTakenIdempotencyKey_returnsTheSagaHoldingIt() {
    String key = "key-" + UUID.randomUUID();
    SagaInstance first = run(() -> store().create(newSaga("node-a", key, "hash-1")));

    SagaInstance second = run(() -> store().create(newSaga("node-b", key, "hash-2")));

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.requestHash()).isEqualTo("hash-1");
  }

  @Test
  void save_isCompareAndSet_soAStaleWriterLoses() {
    SagaInstance saga = run(() -> store().create(newSaga("node-a", null, null)));
    SagaInstance staleCopy = run(() -> store().get(saga.id()));

    saga.nextStep = 1;
    run(() -> store().save(saga));
    staleCopy.nextStep = 2;

    assertThatThrownBy(() -> run(() -> store().save(staleCopy))).hasRootCauseInstanceOf(SagaStore.StaleSagaException.class);
    SagaInstance stored = run(() -> store().get(saga.id()));
    assertThat(stored.nextStep).isEqualTo(1);
    assertThat(stored.version()).isEqualTo(saga.version());
  }

  @Test
  void twoClaimersOfOneOrphan_onlyOneWins() {
    for (int round = 0; round < 10; round++) {
      SagaInstance orphan = run(() -> store().create(newSaga("dead-node", null, null)));
      SagaInstance seenByB = run(() -> store().get(orphan.id()));
      SagaInstance seenByC = run(() -> store().get(orphan.id()));
      seenByB.owner = "node-b";
      seenByC.owner = "node-c";

      List<Boolean> wins = run(() -> Future.all(
              store().save(seenByB).map(true).otherwise(false),
              store().save(seenByC).map(true).otherwise(false))
          .map(both -> List.of(both.<Boolean>resultAt(0), both.<Boolean>resultAt(1))));

      assertThat(wins).containsExactlyInAnyOrder(true, false);
      String winner = wins.get(0) ? "node-b" : "node-c";
      assertThat(run(() -> store().get(orphan.id())).owner()).isEqualTo(winner);
    }
  }

  @Test
  void ownedBy_listsOnlyTheActiveSagasOfThatOwner() {
    String owner = "owner-" + UUID.randomUUID();
    SagaInstance running = run(() -> store().create(newSaga(owner, null, null)));
    SagaInstance finished = run(() -> store().create(newSaga(owner, null, null)));
    finished.status = SagaStatus.COMPLETED;
    run(() -> store().save(finished));
    run(() -> store().create(newSaga("someone-else", null, null)));

    List<SagaInstance> owned = run(() -> store().ownedBy(owner));

    assertThat(owned).extracting(SagaInstance::id).containsExactly(running.id());
  }

  @Test
  void lapsedOwners_namesOwnersOfActiveSagasWithoutALiveLease() {
    long now = System.currentTimeMillis();
    String alive = "alive-" + UUID.randomUUID();
    String lapsed = "lapsed-" + UUID.randomUUID();
    String neverLeased = "never-" + UUID.randomUUID();
    for (String owner : List.of(alive, lapsed, neverLeased)) {
      run(() -> store().create(newSaga(owner, null, null)));
    }
    run(() -> store().renewLease(alive, now + 60_000));
    run(() -> store().renewLease(lapsed, now - 1));

    List<String> owners = run(() -> store().lapsedOwners(now));

    assertThat(owners).contains(lapsed, neverLeased).doesNotContain(alive);
  }

  @Test
  void list_filtersByStatusRetryingAndParked_andPagesNewestFirst() {
    SagaInstance parked = newSaga(null, null, null);
    parked.status = SagaStatus.COMPENSATION_FAILED;
    run(() -> store().create(parked));
    SagaInstance retrying = newSaga("node-a", null, null);
    retrying.retrying = true;
    run(() -> store().create(retrying));
    for (int i = 0; i < 5; i++) {
      run(() -> store().create(newSaga("node-a", null, null)));
    }

    assertThat(run(() -> store().list("parked", 100, null)).items()).extracting(SagaInstance::id).contains(parked.id())
        .doesNotContain(retrying.id());
    assertThat(run(() -> store().list("retrying", 100, null)).items()).extracting(SagaInstance::id).contains(retrying.id())
        .doesNotContain(parked.id());
    assertThat(run(() -> store().list("COMPENSATION_FAILED", 100, null)).items()).extracting(SagaInstance::id).contains(parked.id());

    SagaStore.SagaPage first = run(() -> store().list("RUNNING", 3, null));
    SagaStore.SagaPage second = run(() -> store().list("RUNNING", 3, first.nextCursor()));
    assertThat(first.items()).hasSize(3);
    assertThat(first.nextCursor()).isNotNull();
    assertThat(second.items()).isNotEmpty();
    assertThat(second.items()).extracting(SagaInstance::id).doesNotContainAnyElementsOf(first.items().stream().map(SagaInstance::id).toList());
    assertThat(second.items().get(0).createdAt()).isLessThanOrEqualTo(first.items().get(2).createdAt());
  }

  @Test
  void sagaThatStopsRetryingOrIsResolved_leavesTheRetryingAndParkedLists() {
    SagaInstance retrying = newSaga("node-a", null, null);
    retrying.retrying = true;
    run(() -> store().create(retrying));
    SagaInstance parked = newSaga(null, null, null);
    parked.status = SagaStatus.COMPENSATION_FAILED;
    run(() -> store().create(parked));

    retrying.retrying = false;
    run(() -> store().save(retrying));
    parked.status = SagaStatus.RESOLVED;
    run(() -> store().save(parked));

    assertThat(run(() -> store().list("retrying", 100, null)).items()).extracting(SagaInstance::id).doesNotContain(retrying.id());
    assertThat(run(() -> store().list("parked", 100, null)).items()).extracting(SagaInstance::id).doesNotContain(parked.id());
  }
}
