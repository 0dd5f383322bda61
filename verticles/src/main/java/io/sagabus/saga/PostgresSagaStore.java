package io.sagabus.saga;

import io.sagabus.platform.backend.GroupCommitQueue;
import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.backend.PipelinedTransaction;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The PostgreSQL store. One row per saga: the columns the engine queries (status, owner, version, idempotency key,
 * created time) and the full document with its step history as jsonb.
 *
 * <p>Writes go through a group-commit journal: creates and saves queued while a transaction is in flight are written
 * together in the next one (at most {@code maxInFlight} transactions at a time), so the commit rate stays far below
 * PostgreSQL's single-row commit ceiling while each caller still waits for its own write to be durable. A batch is
 * one round trip of at most a few statements: its creates in one {@code INSERT}, its saves in one {@code UPDATE ...
 * WHERE id = u.id AND version = u.expected}, a compare-and-set whose returned ids tell a stale writer it lost.
 */
public final class PostgresSagaStore implements SagaStore {

  private static final Pattern SAFE_PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");
  private static final String COLUMNS = "doc, owner, version";
  /** The {@code retrying} and {@code parked} filters, also the predicates of their partial indexes (the texts must match). */
  private static final String RETRYING = "retrying AND status IN ('PENDING', 'RUNNING', 'COMPENSATING')";
  private static final String PARKED = "(status = 'COMPENSATION_FAILED' OR (doc ? 'waitingFor' AND status IN ('PENDING', 'RUNNING', 'COMPENSATING')))";

  private final Vertx vertx;
  private final Pool pool;
  private final String sagas;
  private final String leases;
  private final GroupCommitQueue<Pending> batches;
  /** A batch's creates in one statement; those it did not insert conflicted (an idempotency key already taken). */
  private final String insertSql;
  /** A batch's saves in one compare-and-set statement; a saga it did not return had moved on: its writer is stale. */
  private final String updateSql;

  /** A write, with the saga's columns as they were when it was asked for: a later change must not leak into it. */
  private record Pending(boolean create, SagaInstance saga, long expectedVersion, String status, String owner, boolean retrying,
      String doc, Promise<SagaInstance> done) {

    static Pending of(boolean create, SagaInstance saga, long expectedVersion) {
      // A finished saga has no owner: nobody resumes it.
      String owner = saga.status().active() ? saga.owner() : null;
      return new Pending(create, saga, expectedVersion, saga.status().name(), owner, saga.retrying(), saga.toJson().encode(), Promise.promise());
    }

    long version() {
      return expectedVersion + 1;
    }
  }

  public PostgresSagaStore(Vertx vertx, Pool pool, String tablePrefix, int maxBatch, int maxInFlight) {
    if (!SAFE_PREFIX.matcher(tablePrefix).matches()) {
      throw new IllegalArgumentException("table prefix must match " + SAFE_PREFIX + ", got '" + tablePrefix + "'");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.sagas = tablePrefix + "sagas";
    this.leases = tablePrefix + "saga_leases";
    this.batches = new GroupCommitQueue<>(vertx, maxBatch, maxInFlight, this::writeBatch);
    this.insertSql = "INSERT INTO " + sagas + " (id, type, status, owner, version, idempotency_key, retrying, created_at, updated_at, doc) "
        + "SELECT u.id, u.type, u.status, u.owner, u.version, u.idempotency_key, u.retrying, u.created_at, $9::bigint, u.doc::jsonb "
        + "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::boolean[], $8::bigint[], $10::text[]) "
        + "AS u(id, type, status, owner, version, idempotency_key, retrying, created_at, doc) ON CONFLICT DO NOTHING RETURNING id";
    this.updateSql = "UPDATE " + sagas + " AS s SET status = u.status, owner = u.owner, version = u.version, retrying = u.retrying, "
        + "updated_at = $6::bigint, doc = u.doc::jsonb "
        + "FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $7::text[], $8::bigint[]) "
        + "AS u(id, status, owner, version, retrying, doc, expected) WHERE s.id = u.id AND s.version = u.expected RETURNING s.id";
  }

  @Override
  public Future<Void> start() {
    String[] schema = {
        "CREATE TABLE IF NOT EXISTS " + sagas + " ("
            + "id text PRIMARY KEY, type text NOT NULL, status text NOT NULL, owner text, version bigint NOT NULL, "
            + "idempotency_key text UNIQUE, retrying boolean NOT NULL DEFAULT false, "
            + "created_at bigint NOT NULL, updated_at bigint NOT NULL, doc jsonb NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + sagas + "_owner ON " + sagas + " (owner) WHERE owner IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS " + sagas + "_newest ON " + sagas + " (created_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS " + sagas + "_status_newest ON " + sagas + " (status, created_at DESC, id DESC)",
        // The dashboard lists these every few seconds; without them each list read the whole table (51 ms at 25,000 sagas).
        "CREATE INDEX IF NOT EXISTS " + sagas + "_retrying ON " + sagas + " (created_at DESC, id DESC) WHERE " + RETRYING,
        "CREATE INDEX IF NOT EXISTS " + sagas + "_parked ON " + sagas + " (created_at DESC, id DESC) WHERE " + PARKED,
        "CREATE TABLE IF NOT EXISTS " + leases + " (node_id text PRIMARY KEY, lease_until bigint NOT NULL)"
    };
    return PgSchema.migrate(pool, List.of(schema));
  }

  @Override
  public Future<SagaInstance> create(SagaInstance saga) {
    saga.version = 1;
    return enqueue(Pending.of(true, saga, 0));
  }

  @Override
  public Future<Void> save(SagaInstance saga) {
    long expected = saga.version;
    saga.version = expected + 1;
    return enqueue(Pending.of(false, saga, expected))
        .onFailure(failure -> saga.version = expected)
        .mapEmpty();
  }

  private Future<SagaInstance> enqueue(Pending pending) {
    batches.add(pending);
    return pending.done().future();
  }

  private Future<Void> writeBatch(List<Pending> batch) {
    List<Pending> creates = new ArrayList<>();
    List<List<Pending>> saveRounds = new ArrayList<>();
    Map<String, Integer> savesPerSaga = new HashMap<>();
    for (Pending pending : batch) {
      if (pending.create()) {
        creates.add(pending);
      } else {
        // One statement changes a row once, so a saga saved twice in a batch goes into two statements, in order.
        int round = savesPerSaga.merge(pending.saga().id(), 1, Integer::sum) - 1;
        if (round == saveRounds.size()) {
          saveRounds.add(new ArrayList<>());
        }
        saveRounds.get(round).add(pending);
      }
    }
    // Callers are answered only once the transaction committed.
    return PipelinedTransaction.run(pool, (conn, pipelined) -> {
      long now = System.currentTimeMillis();
      Future<Set<String>> inserted = creates.isEmpty() ? Future.succeededFuture(Set.of())
          : conn.preparedQuery(insertSql).execute(insertRows(creates, now)).map(PostgresSagaStore::returnedIds);
      List<Future<Set<String>>> updated = saveRounds.stream()
          .map(saves -> conn.preparedQuery(updateSql).execute(updateRows(saves, now)).map(PostgresSagaStore::returnedIds))
          .toList();
      return Future.all(inserted, Future.all(updated)).map(all -> new Written(inserted.result(), updated.stream().map(Future::result).toList()));
    }).onSuccess(written -> {
      settleCreates(creates, written.inserted());
      for (int round = 0; round < saveRounds.size(); round++) {
        settleSaves(saveRounds.get(round), written.updated().get(round));
      }
    }).onFailure(failure -> batch.forEach(pending -> pending.done().tryFail(failure))).mapEmpty();
  }

  /** The ids each statement wrote: the creates' one, then each round of saves'. */
  private record Written(Set<String> inserted, List<Set<String>> updated) {}

  private static Tuple insertRows(List<Pending> creates, long now) {
    return Tuple.tuple()
        .addArrayOfString(strings(creates, pending -> pending.saga().id()))
        .addArrayOfString(strings(creates, pending -> pending.saga().type()))
        .addArrayOfString(strings(creates, Pending::status))
        .addArrayOfString(strings(creates, Pending::owner))
        .addArrayOfLong(longs(creates, Pending::version))
        .addArrayOfString(strings(creates, pending -> pending.saga().idempotencyKey()))
        .addArrayOfBoolean(creates.stream().map(Pending::retrying).toArray(Boolean[]::new))
        .addArrayOfLong(longs(creates, pending -> pending.saga().createdAt()))
        .addLong(now)
        .addArrayOfString(strings(creates, Pending::doc));
  }

  private static Tuple updateRows(List<Pending> saves, long now) {
    return Tuple.tuple()
        .addArrayOfString(strings(saves, pending -> pending.saga().id()))
        .addArrayOfString(strings(saves, Pending::status))
        .addArrayOfString(strings(saves, Pending::owner))
        .addArrayOfLong(longs(saves, Pending::version))
        .addArrayOfBoolean(saves.stream().map(Pending::retrying).toArray(Boolean[]::new))
        .addLong(now)
        .addArrayOfString(strings(saves, Pending::doc))
        .addArrayOfLong(longs(saves, Pending::expectedVersion));
  }

  private static String[] strings(List<Pending> rows, Function<Pending, String> column) {
    return rows.stream().map(column).toArray(String[]::new);
  }

  private static Long[] longs(List<Pending> rows, Function<Pending, Long> column) {
    return rows.stream().map(column).toArray(Long[]::new);
  }

  private static Set<String> returnedIds(RowSet<Row> rows) {
    Set<String> ids = new HashSet<>();
    rows.forEach(row -> ids.add(row.getString(0)));
    return ids;
  }

  private void settleSaves(List<Pending> saves, Set<String> updated) {
    for (Pending pending : saves) {
      if (updated.contains(pending.saga().id())) {
        pending.saga().storedOwner = pending.saga().owner();
        pending.done().complete(pending.saga());
      } else {
        pending.done().fail(new StaleSagaException(pending.saga().id()));
      }
    }
  }

  private void settleCreates(List<Pending> creates, Set<String> inserted) {
    for (Pending pending : creates) {
      if (inserted.contains(pending.saga().id())) {
        pending.done().complete(pending.saga());
      } else if (pending.saga().idempotencyKey() != null) {
        byIdempotencyKey(pending.saga().idempotencyKey()).onComplete(pending.done());
      } else {
        pending.done().fail(new IllegalStateException("saga " + pending.saga().id() + " exists"));
      }
    }
  }

  private Future<SagaInstance> byIdempotencyKey(String key) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM " + sagas + " WHERE idempotency_key = $1").execute(Tuple.of(key))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new IllegalStateException("idempotency key " + key + " conflicts but no saga holds it"))
            : Future.succeededFuture(read(rows.iterator().next())));
  }

  @Override
  public Future<SagaInstance> get(String sagaId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM " + sagas + " WHERE id = $1").execute(Tuple.of(sagaId))
        .map(rows -> rows.size() == 0 ? null : read(rows.iterator().next()));
  }

  @Override
  public Future<SagaPage> list(String filter, int limit, String cursor) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + ", created_at, id FROM " + sagas + " WHERE true");
    if ("retrying".equals(filter)) {
      sql.append(" AND ").append(RETRYING);
    } else if ("parked".equals(filter)) {
      sql.append(" AND ").append(PARKED);
    } else if (filter != null) {
      params.add(filter.toUpperCase(java.util.Locale.ROOT));
      sql.append(" AND status = $").append(params.size());
    }
    if (cursor != null) {
      int split = cursor.indexOf('_');
      params.add(Long.parseLong(cursor.substring(0, split)));
      sql.append(" AND (created_at, id) < ($").append(params.size());
      params.add(cursor.substring(split + 1));
      sql.append(", $").append(params.size()).append(")");
    }
    params.add(limit + 1);
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT $").append(params.size());
    return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
      List<SagaInstance> items = new ArrayList<>();
      rows.forEach(row -> items.add(read(row)));
      String next = null;
      if (items.size() > limit) {
        items.remove(limit);
        next = SagaStore.cursorOf(items.get(limit - 1));
      }
      return new SagaPage(items, next);
    });
  }

  @Override
  public Future<List<SagaInstance>> ownedBy(String owner) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM " + sagas + " WHERE owner = $1").execute(Tuple.of(owner))
        .map(rows -> {
          List<SagaInstance> owned = new ArrayList<>();
          rows.forEach(row -> owned.add(read(row)));
          return owned.stream().filter(saga -> saga.status().active()).toList();
        });
  }

  @Override
  public Future<Void> renewLease(String owner, long untilMillis) {
    return pool.preparedQuery("INSERT INTO " + leases + " (node_id, lease_until) VALUES ($1, $2) "
            + "ON CONFLICT (node_id) DO UPDATE SET lease_until = excluded.lease_until")
        .execute(Tuple.of(owner, untilMillis)).mapEmpty();
  }

  /**
   * Visits each distinct owner once in the owner index (a skip scan written as a recursive query) instead of reading
   * every owned saga: a node owns hundreds of sagas under load, and the index keeps entries of finished sagas until a
   * VACUUM, so the plain DISTINCT read took 25 to 35 ms of a busy server's CPU on every check.
   */
  @Override
  public Future<List<String>> lapsedOwners(long nowMillis) {
    return pool.preparedQuery("WITH RECURSIVE owners(owner) AS ("
            + "SELECT min(owner) FROM " + sagas + " WHERE owner IS NOT NULL "
            + "UNION ALL SELECT (SELECT min(s.owner) FROM " + sagas + " s WHERE s.owner > o.owner) FROM owners o WHERE o.owner IS NOT NULL) "
            + "SELECT o.owner FROM owners o LEFT JOIN " + leases + " l ON l.node_id = o.owner "
            + "WHERE o.owner IS NOT NULL AND (l.lease_until IS NULL OR l.lease_until < $1)")
        .execute(Tuple.of(nowMillis))
        .map(rows -> {
          List<String> owners = new ArrayList<>();
          rows.forEach(row -> owners.add(row.getString(0)));
          return owners;
        });
  }

  private static SagaInstance read(Row row) {
    SagaInstance saga = SagaInstance.fromJson(row.getJsonObject("doc"));
    saga.owner = row.getString("owner");
    saga.version = row.getLong("version");
    saga.storedOwner = saga.owner;
    return saga;
  }
}
