package io.sagabus.platform.outbox;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>An append also runs {@code pg_notify('<table>_p<partition>', '')} for each partition it wrote, in the same
 * transaction: PostgreSQL delivers it only on commit (a rolled-back step, savepoint included, wakes nobody) and folds
 * identical notifications of one transaction into one. {@link #onAppended} LISTENs to those channels with a
 * {@link PgSubscriber} of its own, which reconnects by itself.
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
  private static final long RELISTEN_MS = 1_000;
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
  private Future<Void> created;
  private PgConnection session;
  private Future<PgConnection> connecting;
  private final List<IntConsumer> listeners = new CopyOnWriteArrayList<>();
  private PgSubscriber subscriber;
  private Future<Void> listening;

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

  /** Inserts the events on {@code conn}, inside the caller's transaction. */
  public Future<Void> append(SqlConnection conn, List<DomainEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(events.size());
    TreeSet<String> channels = new TreeSet<>();
    for (DomainEvent event : events) {
      int partition = Outbox.partitionOf(event.key(), partitions);
      rows.add(Tuple.of(partition, event.type(), event.key(), event.toJson().encode()));
      channels.add(channel(partition));
    }
    // Pipelined on the transaction's connection: one round trip for both.
    Future<?> inserted = conn.preparedQuery("INSERT INTO " + table + " (part, event_type, event_key, envelope) VALUES ($1, $2, $3, $4)")
        .executeBatch(rows);
    Future<?> notified = conn.preparedQuery("SELECT pg_notify(channel, '') FROM unnest($1::text[]) AS channel")
        .execute(Tuple.of(channels.toArray(String[]::new)));
    return Future.all(inserted, notified).mapEmpty();
  }

  private String channel(int partition) {
    return table + "_p" + partition;
  }

  /**
   * Completes once this instance LISTENs, or after a first attempt failed (it keeps trying every second meanwhile;
   * the relay's poll covers the gap). After a reconnect every partition is signalled once, for what was missed.
   */
  @Override
  public synchronized Future<Subscription> onAppended(IntConsumer appended) {
    listeners.add(appended);
    if (listening == null) {
      listening = listen();
    }
    return listening.map(ignored -> () -> stopSignals(appended));
  }

  private synchronized Future<Void> listen() {
    PgSubscriber listener = PgSubscriber.subscriber(vertx, connectOptions).reconnectPolicy(attempt -> RELISTEN_MS);
    boolean[] subscribedBefore = new boolean[partitions];
    for (int partition = 0; partition < partitions; partition++) {
      int signalled = partition;
      listener.channel(channel(partition))
          .subscribeHandler(ignored -> {
            if (subscribedBefore[signalled]) {
              signal(signalled);
            }
            subscribedBefore[signalled] = true;
          })
          .handler(payload -> signal(signalled));
    }
    subscriber = listener;
    return listener.connect().recover(failure -> {
      LOG.warn("cannot LISTEN for appends to {}, retrying every {} ms: {}", table, RELISTEN_MS, failure.toString());
      listener.close();
      vertx.setTimer(RELISTEN_MS, id -> listenAgain(listener));
      return Future.succeededFuture();
    });
  }

  private synchronized void listenAgain(PgSubscriber failed) {
    if (subscriber == failed) {
      listen();
    }
  }

  private void signal(int partition) {
    listeners.forEach(listener -> listener.accept(partition));
  }

  private Future<Void> stopSignals(IntConsumer appended) {
    PgSubscriber stopped;
    synchronized (this) {
      listeners.remove(appended);
      if (!listeners.isEmpty() || subscriber == null) {
        return Future.succeededFuture();
      }
      stopped = subscriber;
      subscriber = null;
      listening = null;
    }
    return stopped.close();
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
        .onSuccess(done -> LOG.debug("vacuumed {} in {} ms", table, (System.nanoTime() - started) / 1_000_000))
        .onFailure(failure -> LOG.warn("VACUUM of {} failed, its reads slow down until one succeeds: {}", table, failure.toString()))
        .onComplete(done -> vacuuming.set(false));
  }

  /** The lock session, connected when a lease first needs it. */
  private synchronized Future<PgConnection> session() {
    if (session != null) {
      return Future.succeededFuture(session);
    }
    if (connecting == null) {
      connecting = PgConnection.connect(vertx, connectOptions).andThen(done -> {
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
