package io.sagabus.saga;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The embedded store: cluster-wide Hazelcast maps through Vert.x shared data (plain local maps on a standalone node).
 * The {@code sagabus.*} maps keep one backup, so the store survives the loss of any one node of two or more.
 *
 * <p>Sagas are kept as JSON strings so that {@code replaceIfPresent(id, old, new)} is an exact compare-and-set.
 * A small index of active sagas by owner keeps recovery from scanning finished ones, and a small index of the sagas
 * that are retrying or parked answers those two lists (which the dashboard polls) without reading every saga. Other
 * listings scan the saga map: fine for the embedded default, use PostgreSQL for large histories.
 */
public final class EmbeddedSagaStore implements SagaStore {

  static final int CREATE_LOOKUP_RETRIES = 20;

  private final Vertx vertx;
  private final String prefix;
  private final long retainFinishedMs;
  private AsyncMap<String, String> sagas;
  private AsyncMap<String, String> owners;
  private AsyncMap<String, String> attention;
  private AsyncMap<String, String> idempotencyKeys;
  private AsyncMap<String, Long> leases;

  /**
   * {@code prefix} separates stores sharing a cluster (tests); it must start with {@code sagabus.} for the backups.
   * Finished sagas (and their idempotency keys) are dropped {@code retainFinishedMs} after they end, so the maps,
   * which live in the members' heaps, do not grow without bound; parked sagas are kept until a person acts.
   */
  public EmbeddedSagaStore(Vertx vertx, String prefix, long retainFinishedMs) {
    this.vertx = vertx;
    this.prefix = prefix;
    this.retainFinishedMs = retainFinishedMs;
  }

  @Override
  public Future<Void> start() {
    var shared = vertx.sharedData();
    return Future.all(
            shared.<String, String>getAsyncMap(prefix + "sagas").onSuccess(map -> sagas = map),
            shared.<String, String>getAsyncMap(prefix + "saga-owners").onSuccess(map -> owners = map),
            shared.<String, String>getAsyncMap(prefix + "saga-attention").onSuccess(map -> attention = map),
            shared.<String, String>getAsyncMap(prefix + "saga-idempotency").onSuccess(map -> idempotencyKeys = map),
            shared.<String, Long>getAsyncMap(prefix + "saga-leases").onSuccess(map -> leases = map))
        .mapEmpty();
  }

  @Override
  public Future<SagaInstance> create(SagaInstance saga) {
    if (saga.idempotencyKey() == null) {
      return insert(saga);
    }
    return idempotencyKeys.putIfAbsent(saga.idempotencyKey(), saga.id()).compose(holder -> holder == null
        ? insert(saga)
        : awaitStored(holder, CREATE_LOOKUP_RETRIES));
  }

  private Future<SagaInstance> insert(SagaInstance saga) {
    saga.version = 1;
    String form = saga.toJson().encode();
    return sagas.putIfAbsent(saga.id(), form).compose(existing -> {
      if (existing != null) {
        return Future.failedFuture(new IllegalStateException("saga " + saga.id() + " exists"));
      }
      saga.storedForm = form;
      return Future.all(indexOwner(saga), indexAttention(saga)).map(saga);
    });
  }

  /** The saga holding a key may be a moment from being written by the node that took the key. */
  private Future<SagaInstance> awaitStored(String sagaId, int retriesLeft) {
    return get(sagaId).compose(found -> {
      if (found != null || retriesLeft == 0) {
        return found != null ? Future.succeededFuture(found) : Future.failedFuture(new IllegalStateException("saga " + sagaId + " holds an idempotency key but was never stored"));
      }
      return vertx.timer(10).compose(ignored -> awaitStored(sagaId, retriesLeft - 1));
    });
  }

  @Override
  public Future<Void> save(SagaInstance saga) {
    long expected = saga.version;
    saga.version = expected + 1;
    String form = saga.toJson().encode();
    return sagas.replaceIfPresent(saga.id(), saga.storedForm, form).compose(replaced -> {
      if (!replaced) {
        saga.version = expected;
        return Future.failedFuture(new StaleSagaException(saga.id()));
      }
      saga.storedForm = form;
      // The CAS decided it: the index and the time to live of a finished saga can be written side by side.
      return Future.all(indexOwner(saga), indexAttention(saga), saga.status().terminal() ? expire(saga, form) : Future.succeededFuture())
          .mapEmpty();
    });
  }

  /** Rewrites a finished saga with a time to live; nothing changes a finished saga any more, so no CAS is needed. */
  private Future<Void> expire(SagaInstance saga, String form) {
    Future<Void> key = saga.idempotencyKey() == null ? Future.succeededFuture()
        : idempotencyKeys.put(saga.idempotencyKey(), saga.id(), retainFinishedMs);
    return Future.all(sagas.put(saga.id(), form, retainFinishedMs), key).mapEmpty();
  }

  private Future<Void> indexOwner(SagaInstance saga) {
    String owner = saga.status().active() ? saga.owner() : null;
    if (Objects.equals(owner, saga.storedOwner)) {
      return Future.succeededFuture();
    }
    Future<?> written = owner == null ? owners.remove(saga.id()) : owners.put(saga.id(), owner);
    return written.onSuccess(ignored -> saga.storedOwner = owner).mapEmpty();
  }

  private Future<Void> indexAttention(SagaInstance saga) {
    String flags = saga.attention();
    if (Objects.equals(flags, saga.storedAttention)) {
      return Future.succeededFuture();
    }
    Future<?> written = flags == null ? attention.remove(saga.id()) : attention.put(saga.id(), flags);
    return written.onSuccess(ignored -> saga.storedAttention = flags).mapEmpty();
  }

  @Override
  public Future<SagaInstance> get(String sagaId) {
    return sagas.get(sagaId).map(form -> form == null ? null : read(form));
  }

  @Override
  public Future<SagaPage> list(String filter, int limit, String cursor) {
    Future<List<SagaInstance>> candidates = "retrying".equals(filter) || "parked".equals(filter)
        ? attention.entries().compose(index -> Future.all(index.entrySet().stream()
                .filter(entry -> entry.getValue().contains(filter.substring(0, 1)))
                .map(entry -> get(entry.getKey()))
                .toList())
            .map(all -> all.<SagaInstance>list().stream().filter(Objects::nonNull).toList()))
        : sagas.values().map(forms -> forms.stream().map(EmbeddedSagaStore::read).toList());
    return candidates.map(all -> {
      List<SagaInstance> matching = all.stream()
          .filter(saga -> saga.matches(filter))
          .filter(saga -> cursor == null || before(saga, cursor))
          .sorted(Comparator.comparingLong(SagaInstance::createdAt).thenComparing(SagaInstance::id).reversed())
          .limit(limit + 1L)
          .collect(Collectors.toCollection(ArrayList::new));
      String next = null;
      if (matching.size() > limit) {
        matching.remove(limit);
        next = SagaStore.cursorOf(matching.get(limit - 1));
      }
      return new SagaPage(matching, next);
    });
  }

  /** Strictly older than the cursor in (createdAt, id) order. */
  private static boolean before(SagaInstance saga, String cursor) {
    int split = cursor.indexOf('_');
    long createdAt = Long.parseLong(cursor.substring(0, split));
    String id = cursor.substring(split + 1);
    return saga.createdAt() < createdAt || saga.createdAt() == createdAt && saga.id().compareTo(id) < 0;
  }

  @Override
  public Future<List<SagaInstance>> ownedBy(String owner) {
    return owners.entries().compose(index -> {
      List<Future<SagaInstance>> reads = index.entrySet().stream()
          .filter(entry -> owner.equals(entry.getValue()))
          .map(entry -> get(entry.getKey()))
          .toList();
      return Future.all(reads).map(all -> all.<SagaInstance>list().stream()
          .filter(saga -> saga != null && owner.equals(saga.owner()) && saga.status().active())
          .toList());
    });
  }

  @Override
  public Future<Void> renewLease(String owner, long untilMillis) {
    return leases.put(owner, untilMillis);
  }

  @Override
  public Future<List<String>> lapsedOwners(long nowMillis) {
    return Future.all(owners.values(), leases.entries()).map(both -> {
      List<String> owning = both.resultAt(0);
      Map<String, Long> leaseUntil = both.resultAt(1);
      Set<String> distinct = Set.copyOf(owning);
      return distinct.stream().filter(owner -> leaseUntil.getOrDefault(owner, 0L) < nowMillis).toList();
    });
  }

  private static SagaInstance read(String form) {
    SagaInstance saga = SagaInstance.fromJson(new JsonObject(form));
    saga.storedForm = form;
    saga.storedOwner = saga.status().active() ? saga.owner() : null;
    saga.storedAttention = saga.attention();
    return saga;
  }
}
