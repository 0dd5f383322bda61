package io.sagabus.orderview;

import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order event streams in PostgreSQL ({@code <prefix>order_events}), keyed by (order_id, version). An append of many
 * orders is one statement, so it commits whole or not at all: each order's new events are numbered from its current
 * version when that is the one its writer expected. Two writers that both read version n and append n + 1 cannot both
 * commit: the second hits the primary key (or waits on the first's row and then does), and every order of its
 * statement is answered as a conflict, to be re-read and retried.
 */
final class PostgresOrderEvents implements OrderEventStore {

  private static final Set<String> LOST_TO_A_CONCURRENT_APPEND = Set.of("23505", "40P01");

  private final Pool pool;
  private final String table;
  private final String versionsSql;
  private final String appendSql;

  PostgresOrderEvents(Pool pool, String prefix) {
    this.pool = pool;
    this.table = prefix + "order_events";
    this.versionsSql = "SELECT o, coalesce((SELECT max(version) FROM " + table + " WHERE order_id = o), 0) FROM unnest($1::text[]) AS o";
    this.appendSql = "WITH current AS (SELECT o.order_id, o.expected, coalesce((SELECT max(e.version) FROM " + table + " e "
        + "WHERE e.order_id = o.order_id), 0) AS version FROM unnest($1::text[], $2::bigint[]) AS o(order_id, expected)), "
        + "fresh AS (SELECT DISTINCT ON (i.event_id) i.order_id, i.event_id, i.envelope, i.ord "
        + "FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS i(order_id, event_id, envelope, ord) "
        + "WHERE NOT EXISTS (SELECT 1 FROM " + table + " e WHERE e.event_id = i.event_id) ORDER BY i.event_id, i.ord), "
        + "appended AS (INSERT INTO " + table + " (order_id, version, event_id, envelope) "
        + "SELECT f.order_id, c.version + row_number() OVER (PARTITION BY f.order_id ORDER BY f.ord), f.event_id, f.envelope::jsonb "
        + "FROM fresh f JOIN current c ON c.order_id = f.order_id WHERE c.version = c.expected ORDER BY f.order_id, f.ord "
        + "RETURNING order_id, version) "
        + "SELECT c.order_id, c.version, (SELECT max(a.version) FROM appended a WHERE a.order_id = c.order_id), "
        + "EXISTS (SELECT 1 FROM fresh f WHERE f.order_id = c.order_id) FROM current c";
  }

  @Override
  public Future<Void> start() {
    return PgSchema.migrate(pool, List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (order_id text NOT NULL, version bigint NOT NULL, event_id text NOT NULL UNIQUE, "
            + "envelope jsonb NOT NULL, PRIMARY KEY (order_id, version))"));
  }

  @Override
  public Future<Map<String, Long>> versions(Collection<String> orderIds) {
    return pool.preparedQuery(versionsSql).execute(Tuple.of(orderIds.toArray(String[]::new))).map(rows -> {
      Map<String, Long> versions = new LinkedHashMap<>();
      rows.forEach(row -> versions.put(row.getString(0), row.getLong(1)));
      return versions;
    });
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
  public Future<Map<String, Long>> append(List<Append> appends) {
    String repeated = OrderEventStore.repeatedOrder(appends);
    if (repeated != null) {
      return Future.failedFuture(OrderEventStore.repeated(repeated));
    }
    String[] orders = new String[appends.size()];
    Long[] expected = new Long[appends.size()];
    int size = appends.stream().mapToInt(append -> append.events().size()).sum();
    String[] eventOrders = new String[size];
    String[] eventIds = new String[size];
    String[] envelopes = new String[size];
    int event = 0;
    for (int order = 0; order < orders.length; order++) {
      Append append = appends.get(order);
      orders[order] = append.orderId();
      expected[order] = append.expectedVersion();
      for (DomainEvent each : append.events()) {
        eventOrders[event] = append.orderId();
        eventIds[event] = each.eventId();
        envelopes[event] = each.toJson().encode();
        event++;
      }
    }
    return pool.preparedQuery(appendSql).execute(Tuple.of(orders, expected, eventOrders, eventIds, envelopes))
        .map(rows -> {
          Map<String, Long> versions = new LinkedHashMap<>();
          for (Row row : rows) {
            boolean hadFresh = row.getBoolean(3);
            Long appended = row.getLong(2);
            if (!hadFresh) {
              versions.put(row.getString(0), row.getLong(1));
            } else if (appended != null) {
              versions.put(row.getString(0), appended);
            }
          }
          return versions;
        })
        .recover(failure -> failure instanceof PgException pg && LOST_TO_A_CONCURRENT_APPEND.contains(pg.getSqlState())
            ? Future.succeededFuture(Map.of())
            : Future.failedFuture(failure));
  }
}
