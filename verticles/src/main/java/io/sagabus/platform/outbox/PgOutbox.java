package io.sagabus.platform.outbox;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox in a PostgreSQL table ({@code <prefix>event_outbox}): a participant inserts its events with the connection of
 * the transaction that changes its state, so they commit or roll back together (a refused step rolls back to its
 * savepoint, events included).
 *
 * <p>A lease is a session-level {@code pg_try_advisory_lock(table, partition)} on one connection per instance (the
 * relay's lock session), outside the pool: while it is held no other relay in the cluster publishes that partition,
 * and a relay whose node dies loses its session and so its locks. The holders read and delete their partitions' rows
 * on that session (pipelined), so a relay costs one connection per outbox whatever the partition count.
 * Rows are deleted by id, never by range: a transaction that took a lower id may commit after a higher one was read.
 *
 * <p>A relay is woken over the event bus, not by {@code pg_notify}: PostgreSQL serialises the commits of notifying
 * transactions on one lock, and every step transaction appends, so with notifications the participants' commits
 * queued behind each other. Instead an append notes its partitions per connection; the transaction's owner (the step
 * ledger) takes them before it lets the connection go and, once committed, {@link #signal signals} them on the
 * cluster's event bus (a rolled-back transaction wakes nobody). A lost signal costs a poll interval.
 *
 * <p>The lock session runs with {@code synchronous_commit} off: a delete lost in a database crash only publishes its
 * events once more, which consumers dedupe, and the relay's rounds do not wait for a disk flush.
 *
 * <p>Every published row is deleted, so the table is a queue of dead rows that a relay's read walks from the front
 * of the index until a VACUUM removes them: without one (autovacuum off, or between its runs) each read grew to 20 ms
 * after a few minutes of load. The instance therefore runs a VACUUM itself each time it has deleted
 * {@code vacuumAfterDeletedRows} rows. It does not block appends: it keeps the emptied pages for the next rows instead
 * of truncating them (that takes a lock appends wait for, and VACUUM retries it every 50 ms), and an instance that
 * finds another's VACUUM running skips its turn.
 */
public final class PgOutbox implements Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(PgOutbox.class);
  private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,50}");
  /** About 250 dead rows per partition at most for a read to step over; a VACUUM of so few takes about a millisecond. */
  public static final int DEFAULT_VACUUM_AFTER_DELETED_ROWS = 1_000;

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final String table;
  private final int partitions;
  private final int lockSpace;
  private final Lease[] holders;
  private final int vacuumAfterDeletedRows;
  private final AtomicLong deletedSinceVacuum = new AtomicLong();
  private final AtomicBoolean vacuuming = new AtomicBoolean();
  private final AtomicLong vacuums = new AtomicLong();
  private final AtomicLong vacuumNanos = new AtomicLong();
  private Future<Void> created;
  private PgConnection session;
  private Future<PgConnection> connecting;
  private final String signalAddress;
  /** Partitions appended per connection whose transaction's owner has not taken them yet. */
  private final Map<SqlConnection, Set<Integer>> unsignalled = new ConcurrentHashMap<>();
  /** Events appended per staging connection and not yet flushed, in append order. */
  private final Map<SqlConnection, List<StagedRow>> staging = new ConcurrentHashMap<>();
  /** In append order, so the ids (and hence the relay's order within a partition) follow it. */
  private final String insertSql;

  private record StagedRow(int partition, String type, String key, String envelope) {}

  /** {@code vacuumAfterDeletedRows} 0 leaves the table to autovacuum. */
  public PgOutbox(Vertx vertx, Pool pool, PgConnectOptions connectOptions, String table, int partitions, int vacuumAfterDeletedRows) {
    if (!SAFE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("outbox table name must match " + SAFE_NAME + ", got '" + table + "'");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.table = table;
    this.partitions = partitions;
    this.lockSpace = ("sagabus-outbox:" + table).hashCode();
    this.holders = new Lease[partitions];
    this.vacuumAfterDeletedRows = vacuumAfterDeletedRows;
    this.signalAddress = "sagabus.outbox.appended." + table;
    this.insertSql = "INSERT INTO " + table + " (part, event_type, event_key, envelope) SELECT part, event_type, event_key, envelope "
        + "FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(part, event_type, event_key, envelope, ord) ORDER BY ord";
  }

  /** Creates the table once per instance; participants and the relay both call it. */
  public synchronized Future<Void> start() {
    if (created == null || created.failed()) {
      created = PgSchema.migrate(pool, List.of(
          "CREATE TABLE IF NOT EXISTS " + table + " (id bigserial PRIMARY KEY, part int NOT NULL, event_type text NOT NULL, "
              + "event_key text NOT NULL, envelope text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
          "CREATE INDEX IF NOT EXISTS " + table + "_part_id ON " + table + " (part, id)"));
    }
    return created;
  }

  /**
   * Inserts the events on {@code conn}, inside the caller's transaction, and notes their partitions for that
   * connection until the transaction's owner {@link #takeAppended takes} them. On a connection whose owner
   * {@link #stageOn stages} its events they are kept until its {@link #flushStaged flush} instead.
   */
  public Future<Void> append(SqlConnection conn, List<DomainEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<StagedRow> rows = new ArrayList<>(events.size());
    for (DomainEvent event : events) {
      rows.add(new StagedRow(Outbox.partitionOf(event.key(), partitions), event.type(), event.key(), event.toJson().encode()));
    }
    List<StagedRow> staged = staging.get(conn);
    if (staged != null) {
      staged.addAll(rows);
      return Future.succeededFuture();
    }
    return insert(conn, rows);
  }

  /**
   * From now until {@link #takeAppended}, events appended on {@code conn} are kept here and written by one statement
   * when the transaction's owner calls {@link #flushStaged}: one round trip and one statement per transaction instead
   * of one per append. The owner undoes a rolled-back savepoint's appends with {@link #dropStaged}.
   */
  public void stageOn(SqlConnection conn) {
    staging.put(conn, new ArrayList<>());
  }

  /** How many events are staged on {@code conn}: the mark to {@link #dropStaged drop} back to at a savepoint. */
  public int stagedCount(SqlConnection conn) {
    List<StagedRow> staged = staging.get(conn);
    return staged == null ? 0 : staged.size();
  }

  /** Forgets the events staged on {@code conn} after {@code mark}: their savepoint was rolled back. */
  public void dropStaged(SqlConnection conn, int mark) {
    List<StagedRow> staged = staging.get(conn);
    if (staged != null && staged.size() > mark) {
      staged.subList(mark, staged.size()).clear();
    }
  }

  /** Writes the events staged on {@code conn} in one statement; the owner sends it before its {@code COMMIT}. */
  public Future<Void> flushStaged(SqlConnection conn) {
    List<StagedRow> staged = staging.get(conn);
    if (staged == null || staged.isEmpty()) {
      return Future.succeededFuture();
    }
    List<StagedRow> rows = List.copyOf(staged);
    staged.clear();
    return insert(conn, rows);
  }

  private Future<Void> insert(SqlConnection conn, List<StagedRow> rows) {
    Set<Integer> appendedTo = unsignalled.computeIfAbsent(conn, ignored -> ConcurrentHashMap.newKeySet());
    Integer[] parts = new Integer[rows.size()];
    String[] types = new String[rows.size()];
    String[] keys = new String[rows.size()];
    String[] envelopes = new String[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      StagedRow row = rows.get(i);
      parts[i] = row.partition();
      types[i] = row.type();
      keys[i] = row.key();
      envelopes[i] = row.envelope();
      appendedTo.add(row.partition());
    }
    return conn.preparedQuery(insertSql)
        .execute(Tuple.tuple().addArrayOfInteger(parts).addArrayOfString(types).addArrayOfString(keys).addArrayOfString(envelopes))
        .mapEmpty();
  }

  /**
   * The partitions {@link #append} wrote on {@code conn} since the last take, forgotten here. The transaction's owner
   * takes them while it still holds the connection (before the connection can serve another transaction), and
   * {@link #signal signals} them once its transaction committed; after a rollback it drops them. It also ends
   * {@link #stageOn staging} on the connection.
   */
  public Set<Integer> takeAppended(SqlConnection conn) {
    staging.remove(conn);
    Set<Integer> appendedTo = unsignalled.remove(conn);
    return appendedTo == null ? Set.of() : appendedTo;
  }

  /** Wakes the relays of every node for {@code appendedTo}: what a committed transaction appended. */
  public void signal(Set<Integer> appendedTo) {
    if (!appendedTo.isEmpty()) {
      vertx.eventBus().publish(signalAddress, new JsonArray(new ArrayList<>(appendedTo)));
    }
  }

  /** Signals come over the cluster's event bus from the node whose transaction appended. */
  @Override
  public Future<Subscription> onAppended(IntConsumer appended) {
    MessageConsumer<JsonArray> consumer = vertx.eventBus().consumer(signalAddress,
        message -> message.body().forEach(partition -> appended.accept((Integer) partition)));
    return consumer.completion().map(ignored -> consumer::unregister);
  }

  @Override
  public String name() {
    return table;
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public Lease lease(int partition) {
    return new PgLease(partition);
  }

  @Override
  public Future<Backlog> backlog() {
    return pool.query("SELECT count(*), coalesce((extract(epoch FROM now() - min(created_at)) * 1000)::bigint, 0) FROM " + table)
        .execute().map(rows -> {
          Row row = rows.iterator().next();
          return new Backlog(row.getLong(0), row.getLong(1));
        });
  }

  private void deleted(int rows) {
    if (vacuumAfterDeletedRows <= 0 || deletedSinceVacuum.addAndGet(rows) < vacuumAfterDeletedRows
        || !vacuuming.compareAndSet(false, true)) {
      return;
    }
    deletedSinceVacuum.set(0);
    long started = System.nanoTime();
    pool.query("VACUUM (SKIP_LOCKED, TRUNCATE false, INDEX_CLEANUP on) " + table).execute()
        .onSuccess(done -> {
          vacuums.incrementAndGet();
          vacuumNanos.addAndGet(System.nanoTime() - started);
        })
        .onFailure(failure -> LOG.warn("VACUUM of {} failed, its reads slow down until one succeeds: {}", table, failure.toString()))
        .onComplete(done -> vacuuming.set(false));
  }

  /** VACUUMs this instance ran, for the relay's {@code sagabus_outbox_vacuum} timer. */
  public long vacuums() {
    return vacuums.get();
  }

  /** Their total time. */
  public long vacuumNanos() {
    return vacuumNanos.get();
  }

  /** The lock session, connected when a lease first needs it. */
  private synchronized Future<PgConnection> session() {
    if (session != null) {
      return Future.succeededFuture(session);
    }
    if (connecting == null) {
      connecting = PgConnection.connect(vertx, connectOptions)
          .compose(opened -> opened.query("SET synchronous_commit TO off").execute().transform(set -> set.succeeded()
              ? Future.succeededFuture(opened)
              : opened.close().transform(ignored -> Future.<PgConnection>failedFuture(set.cause()))))
          .andThen(done -> {
            synchronized (this) {
              connecting = null;
              if (done.succeeded()) {
                PgConnection opened = done.result();
                session = opened;
                opened.closeHandler(ignored -> lost(opened));
              }
            }
          });
    }
    return connecting;
  }

  /** The session ended: the database dropped every lock it held, so no lease of this instance holds anything. */
  private synchronized void lost(PgConnection closed) {
    if (session == closed) {
      session = null;
      Arrays.fill(holders, null);
    }
  }

  private final class PgLease implements Lease {
    private final int partition;

    PgLease(int partition) {
      this.partition = partition;
    }

    @Override
    public int partition() {
      return partition;
    }

    @Override
    public Future<Boolean> tryAcquire() {
      synchronized (PgOutbox.this) {
        if (holders[partition] == this && session != null) {
          return Future.succeededFuture(true);
        }
        // Advisory locks are re-entrant within a session, so this instance's own leases must not share a partition.
        if (holders[partition] != null) {
          return Future.succeededFuture(false);
        }
      }
      return session().compose(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1, $2)").execute(Tuple.of(lockSpace, partition))
          .map(rows -> {
            boolean taken = rows.iterator().next().getBoolean(0);
            synchronized (PgOutbox.this) {
              if (taken && session == conn && holders[partition] == null) {
                holders[partition] = this;
                return true;
              }
            }
            return false;
          }));
    }

    @Override
    public Future<List<OutboxEntry>> next(int limit) {
      return held().compose(conn -> conn.preparedQuery("SELECT id, event_type, event_key, envelope FROM " + table
              + " WHERE part = $1 ORDER BY id LIMIT $2")
          .execute(Tuple.of(partition, limit))
          .map(rows -> {
            List<OutboxEntry> entries = new ArrayList<>(rows.size());
            rows.forEach(row -> entries.add(new OutboxEntry(row.getLong(0), new EncodedEvent(row.getString(1), row.getString(2), row.getString(3)))));
            return entries;
          }));
    }

    @Override
    public Future<Void> sent(List<OutboxEntry> entries) {
      Long[] ids = entries.stream().map(OutboxEntry::id).toArray(Long[]::new);
      return held().compose(conn -> conn.preparedQuery("DELETE FROM " + table + " WHERE id = ANY($1)").execute(Tuple.of(ids)))
          .onSuccess(deleted -> deleted(deleted.rowCount()))
          .mapEmpty();
    }

    /** Unlocks the partition; the session closes when this instance holds nothing any more. */
    @Override
    public Future<Void> close() {
      PgConnection conn;
      boolean last;
      synchronized (PgOutbox.this) {
        if (holders[partition] != this || session == null) {
          return Future.succeededFuture();
        }
        holders[partition] = null;
        conn = session;
        last = Arrays.stream(holders).allMatch(Objects::isNull);
        if (last) {
          session = null;
        }
      }
      return last ? conn.close()
          : conn.preparedQuery("SELECT pg_advisory_unlock($1, $2)").execute(Tuple.of(lockSpace, partition)).mapEmpty();
    }

    private Future<PgConnection> held() {
      synchronized (PgOutbox.this) {
        if (holders[partition] == this && session != null) {
          return Future.succeededFuture(session);
        }
      }
      return Future.failedFuture(new IllegalStateException("outbox partition " + partition + " of " + table + " is not held"));
    }
  }
}
