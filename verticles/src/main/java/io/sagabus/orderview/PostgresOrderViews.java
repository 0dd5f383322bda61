package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Order views in PostgreSQL. Generation {@code n} is the table {@code <prefix>order_view_<n>} with its inbox
 * {@code <prefix>order_view_inbox_<n>}; readers query the SQL view {@code <prefix>order_views}, which points at the
 * active generation. Activation replaces that view and the pointer row in one transaction, so the switch is atomic
 * for every node and no query is refused while it happens.
 */
final class PostgresOrderViews implements OrderViewStore {

  private final Pool pool;
  private final String prefix;
  private final String meta;
  private final String views;

  PostgresOrderViews(Pool pool, String prefix) {
    this.pool = pool;
    this.prefix = prefix;
    this.meta = prefix + "order_view_meta";
    this.views = prefix + "order_views";
  }

  private String table(int generation) {
    return prefix + "order_view_" + generation;
  }

  private String inbox(int generation) {
    return prefix + "order_view_inbox_" + generation;
  }

  private List<String> generationDdl(int generation) {
    String table = table(generation);
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (order_id text PRIMARY KEY, customer_id text, status text NOT NULL, "
            + "created_at timestamptz NOT NULL, doc jsonb NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + table + "_newest ON " + table + " (created_at DESC, order_id DESC)",
        "CREATE INDEX IF NOT EXISTS " + table + "_customer ON " + table + " (customer_id, created_at DESC, order_id DESC)",
        "CREATE INDEX IF NOT EXISTS " + table + "_status ON " + table + " (status, created_at DESC, order_id DESC)",
        "CREATE TABLE IF NOT EXISTS " + inbox(generation) + " (event_id text PRIMARY KEY)");
  }

  @Override
  public Future<Void> start() {
    List<String> ddl = List.of(
        "CREATE TABLE IF NOT EXISTS " + meta + " (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
            + "active int NOT NULL, newest int NOT NULL)",
        "INSERT INTO " + meta + " (active, newest) VALUES (1, 1) ON CONFLICT DO NOTHING");
    return PgSchema.migrate(pool, ddl)
        .compose(ignored -> activeGeneration())
        .compose(active -> PgSchema.migrate(pool, generationDdl(active), connection -> pointViewAt(connection, active)));
  }

  private Future<Void> pointViewAt(SqlClient client, int generation) {
    return client.query("CREATE OR REPLACE VIEW " + views + " AS SELECT * FROM " + table(generation)).execute().mapEmpty();
  }

  @Override
  public Future<Integer> activeGeneration() {
    return pool.query("SELECT active FROM " + meta).execute().map(rows -> rows.iterator().next().getInteger("active"));
  }

  @Override
  public Future<Integer> createGeneration() {
    return pool.query("UPDATE " + meta + " SET newest = newest + 1 RETURNING newest").execute()
        .map(rows -> rows.iterator().next().getInteger("newest"))
        .compose(generation -> PgSchema.migrate(pool, generationDdl(generation)).map(generation));
  }

  @Override
  public Future<Boolean> apply(int generation, DomainEvent event) {
    String table = table(generation);
    // The inbox row and the view's row lock are taken in one statement; a duplicate returns no row and changes nothing.
    String lockView = "WITH fresh AS (INSERT INTO " + inbox(generation) + " (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id) "
        + "INSERT INTO " + table + " (order_id, status, created_at, doc) SELECT $2, 'PENDING', $3, '{}'::jsonb WHERE EXISTS (SELECT 1 FROM fresh) "
        + "ON CONFLICT (order_id) DO UPDATE SET order_id = EXCLUDED.order_id RETURNING doc";
    return pool.withTransaction(conn -> conn.preparedQuery(lockView)
        .execute(Tuple.of(event.eventId(), event.key(), OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          JsonObject current = rows.iterator().next().getJsonObject("doc");
          JsonObject view = OrderFold.apply(current.containsKey("orderId") ? current : null, event);
          return conn.preparedQuery("UPDATE " + table + " SET customer_id = $2, status = $3, created_at = $4, doc = $5 WHERE order_id = $1")
              .execute(Tuple.of(event.key(), view.getString("customerId"), view.getString("status"),
                  OffsetDateTime.parse(view.getString("createdAt")), view))
              .map(true);
        }));
  }

  @Override
  public Future<Long> appliedCount(int generation) {
    return pool.query("SELECT count(*) AS applied FROM " + inbox(generation)).execute()
        .map(rows -> rows.iterator().next().getLong("applied"));
  }

  @Override
  public Future<Void> activate(int generation) {
    return pool.withTransaction(conn -> pointViewAt(conn, generation)
        .compose(ignored -> conn.preparedQuery("UPDATE " + meta + " SET active = $1").execute(Tuple.of(generation)))
        .mapEmpty());
  }

  @Override
  public Future<Void> drop(int generation) {
    return activeGeneration().compose(active -> active == generation
        ? Future.failedFuture(new IllegalStateException("generation " + generation + " is active"))
        : pool.query("DROP TABLE IF EXISTS " + table(generation) + ", " + inbox(generation)).execute().mapEmpty());
  }

  @Override
  public Future<JsonObject> get(String orderId) {
    return pool.preparedQuery("SELECT doc FROM " + views + " WHERE order_id = $1").execute(Tuple.of(orderId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject("doc"));
  }

  @Override
  public Future<Page> query(ViewQuery query) {
    List<String> where = new ArrayList<>();
    Tuple args = Tuple.tuple();
    if (query.customerId() != null) {
      args.addString(query.customerId());
      where.add("customer_id = $" + args.size());
    }
    if (query.status() != null) {
      args.addString(query.status());
      where.add("status = $" + args.size());
    }
    if (query.after() != null) {
      args.addValue(OffsetDateTime.ofInstant(query.after().createdAt(), ZoneOffset.UTC));
      args.addString(query.after().orderId());
      where.add("(created_at, order_id) < ($" + (args.size() - 1) + ", $" + args.size() + ")");
    }
    args.addInteger(query.limit() + 1);
    String sql = "SELECT doc FROM " + views + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY created_at DESC, order_id DESC LIMIT $" + args.size();
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      List<JsonObject> items = new ArrayList<>();
      for (Row row : rows) {
        items.add(row.getJsonObject("doc"));
      }
      if (items.size() <= query.limit()) {
        return new Page(items, null);
      }
      List<JsonObject> page = items.subList(0, query.limit());
      return new Page(new ArrayList<>(page), ViewCursor.of(page.get(page.size() - 1)));
    });
  }
}
