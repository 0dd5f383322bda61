package io.sagabus.platform.outbox;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The outbox in a PostgreSQL table ({@code <prefix>outbox}): a participant inserts its events with the connection of
 * the transaction that changes its state, so they commit or roll back together (a refused step rolls back to its
 * savepoint, events included).
 *
 * <p>A lease is a session-level {@code pg_try_advisory_lock(table, partition)} on a connection of its own, outside
 * the pool: while it is held no other relay in the cluster publishes that partition, and a relay whose node dies
 * loses its connection and so its locks. The holder reads and deletes the partition's rows on that connection.
 * Rows are deleted by id, never by range: a transaction that took a lower id may commit after a higher one was read.
 */
public final class PgOutbox implements Outbox {

  private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,50}");

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final String table;
  private final int partitions;
  private final int lockSpace;
  private Future<Void> created;

  public PgOutbox(Vertx vertx, Pool pool, PgConnectOptions connectOptions, String table, int partitions) {
    if (!SAFE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("outbox table name must match " + SAFE_NAME + ", got '" + table + "'");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.table = table;
    this.partitions = partitions;
    this.lockSpace = ("sagabus-outbox:" + table).hashCode();
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
    for (DomainEvent event : events) {
      rows.add(Tuple.of(Outbox.partitionOf(event.key(), partitions), event.type(), event.key(), event.toJson().encode()));
    }
    return conn.preparedQuery("INSERT INTO " + table + " (part, event_type, event_key, envelope) VALUES ($1, $2, $3, $4)")
        .executeBatch(rows).mapEmpty();
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

  private final class PgLease implements Lease {
    private final int partition;
    private PgConnection connection;
    private boolean held;

    PgLease(int partition) {
      this.partition = partition;
    }

    @Override
    public int partition() {
      return partition;
    }

    @Override
    public Future<Boolean> tryAcquire() {
      if (held && connection != null) {
        return Future.succeededFuture(true);
      }
      Future<PgConnection> connected = connection != null ? Future.succeededFuture(connection) : PgConnection.connect(vertx, connectOptions)
          .onSuccess(opened -> {
            connection = opened;
            opened.closeHandler(ignored -> {
              if (connection == opened) {
                connection = null;
                held = false;
              }
            });
          });
      return connected.compose(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1, $2)").execute(Tuple.of(lockSpace, partition)))
          .map(rows -> {
            held = rows.iterator().next().getBoolean(0);
            return held;
          });
    }

    @Override
    public Future<List<OutboxEntry>> next(int limit) {
      if (!held || connection == null) {
        return Future.failedFuture(new IllegalStateException("outbox partition " + partition + " of " + table + " is not held"));
      }
      return connection.preparedQuery("SELECT id, event_type, event_key, envelope FROM " + table + " WHERE part = $1 ORDER BY id LIMIT $2")
          .execute(Tuple.of(partition, limit))
          .map(rows -> {
            List<OutboxEntry> entries = new ArrayList<>(rows.size());
            rows.forEach(row -> entries.add(new OutboxEntry(row.getLong(0), new EncodedEvent(row.getString(1), row.getString(2), row.getString(3)))));
            return entries;
          });
    }

    @Override
    public Future<Void> sent(List<OutboxEntry> entries) {
      if (connection == null) {
        return Future.failedFuture(new IllegalStateException("outbox partition " + partition + " of " + table + " lost its connection"));
      }
      Long[] ids = entries.stream().map(OutboxEntry::id).toArray(Long[]::new);
      return connection.preparedQuery("DELETE FROM " + table + " WHERE id = ANY($1)").execute(Tuple.of(ids)).mapEmpty();
    }

    @Override
    public Future<Void> close() {
      PgConnection open = connection;
      connection = null;
      held = false;
      return open == null ? Future.succeededFuture() : open.close();
    }
  }
}
