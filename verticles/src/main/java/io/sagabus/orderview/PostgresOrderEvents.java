package io.sagabus.orderview;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order event streams in PostgreSQL ({@code <prefix>order_events}), keyed by (order_id, version). Two writers that
 * both read version n and append n + 1 cannot both commit: the second hits the primary key and gets a
 * {@link VersionConflict}, as does a writer whose expected version is already stale when it checks.
 */
final class PostgresOrderEvents implements OrderEventStore {

  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final String table;

  PostgresOrderEvents(Pool pool, String prefix) {
    this.pool = pool;
    this.table = prefix + "order_events";
  }

  @Override
  public Future<Void> start() {
    return PgSchema.migrate(pool, List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (order_id text NOT NULL, version bigint NOT NULL, event_id text NOT NULL UNIQUE, "
            + "envelope jsonb NOT NULL, PRIMARY KEY (order_id, version))"));
  }

  @Override
  public Future<Long> version(String orderId) {
    return pool.withConnection(conn -> currentVersion(conn, orderId));
  }

  private Future<Long> currentVersion(SqlConnection conn, String orderId) {
    return conn.preparedQuery("SELECT coalesce(max(version), 0) AS version FROM " + table + " WHERE order_id = $1")
        .execute(Tuple.of(orderId))
        .map(rows -> rows.iterator().next().getLong("version"));
  }

  @Override
  public Future<List<Stored>> read(String orderId) {
    return pool.preparedQuery("SELECT version, envelope FROM " + table + " WHERE order_id = $1 ORDER BY version")
        .execute(Tuple.of(orderId))
        .map(rows -> {
          List<Stored> stored = new ArrayList<>();
          for (Row row : rows) {
            stored.add(new Stored(row.getLong("version"), DomainEvent.fromJson(row.getJsonObject("envelope"))));
          }
          return stored;
        });
  }

  @Override
  public Future<Long> append(String orderId, long expectedVersion, List<DomainEvent> events) {
    Map<String, DomainEvent> byId = new LinkedHashMap<>();
    events.forEach(event -> byId.putIfAbsent(event.eventId(), event));
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT event_id FROM " + table + " WHERE event_id = ANY($1)")
            .execute(Tuple.of(byId.keySet().toArray(new String[0])))
            .compose(rows -> {
              Set<String> stored = new HashSet<>();
              rows.forEach(row -> stored.add(row.getString("event_id")));
              List<DomainEvent> fresh = byId.values().stream().filter(event -> !stored.contains(event.eventId())).toList();
              return currentVersion(conn, orderId).compose(current -> {
                if (fresh.isEmpty()) {
                  return Future.succeededFuture(current);
                }
                if (current != expectedVersion) {
                  return Future.failedFuture(new VersionConflict(orderId, expectedVersion, String.valueOf(current)));
                }
                List<Tuple> batch = new ArrayList<>();
                long version = expectedVersion;
                for (DomainEvent event : fresh) {
                  batch.add(Tuple.of(orderId, ++version, event.eventId(), event.toJson()));
                }
                long appended = version;
                return conn.preparedQuery("INSERT INTO " + table + " (order_id, version, event_id, envelope) VALUES ($1, $2, $3, $4)")
                    .executeBatch(batch)
                    .map(appended);
              });
            }))
        .recover(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new VersionConflict(orderId, expectedVersion, "past it (a concurrent append won)"))
            : Future.failedFuture(failure));
  }
}
