package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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

  /**
   * One transaction, four statements whatever the batch size: the inbox takes the batch's ids (those already there
   * drop out), the touched views are created if missing and locked, their new events are folded in Java in list
   * order, and all of them are written back at once. Rows are locked in key order, so concurrent batches (another
   * node's share of the partitions, a rebuild) cannot deadlock.
   */
  @Override
  public Future<Set<String>> applyBatch(int generation, List<DomainEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    String[] eventIds = events.stream().map(DomainEvent::eventId).distinct().sorted().toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO " + inbox(generation) + " (event_id) "
            + "SELECT id FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING RETURNING event_id")
        .execute(Tuple.of(eventIds))
        .compose(inserted -> {
          Set<String> applied = new HashSet<>();
          inserted.forEach(row -> applied.add(row.getString("event_id")));
          Set<String> unfolded = new HashSet<>(applied);
          List<DomainEvent> fresh = events.stream().filter(event -> unfolded.remove(event.eventId())).toList();
          if (fresh.isEmpty()) {
            return Future.succeededFuture(applied);
          }
          return lock(conn, generation, fresh)
              .compose(current -> write(conn, generation, OrderFold.applyAll(current::get, fresh)))
              .map(applied);
        }));
  }

  /**
   * Locks the views of the orders {@code events} touch, in key order, and answers their documents (none for an order
   * not seen yet). A missing view is inserted as an empty row first: an upsert also locks a row that a concurrent
   * batch is creating, where {@code SELECT ... FOR UPDATE} would find nothing and both would write it.
   */
  private Future<Map<String, JsonObject>> lock(SqlConnection conn, int generation, List<DomainEvent> events) {
    Map<String, OffsetDateTime> firstSeen = new TreeMap<>();
    events.forEach(event -> firstSeen.putIfAbsent(event.key(), OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)));
    return conn.preparedQuery("INSERT INTO " + table(generation) + " (order_id, status, created_at, doc) "
            + "SELECT id, 'PENDING', at, '{}'::jsonb FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at) ORDER BY id "
            + "ON CONFLICT (order_id) DO UPDATE SET order_id = EXCLUDED.order_id RETURNING order_id, doc")
        .execute(Tuple.tuple().addArrayOfString(firstSeen.keySet().toArray(new String[0]))
            .addArrayOfOffsetDateTime(firstSeen.values().toArray(new OffsetDateTime[0])))
        .map(locked -> {
          Map<String, JsonObject> current = new HashMap<>();
          for (Row row : locked) {
            JsonObject doc = row.getJsonObject("doc");
            if (doc.containsKey("orderId")) {
              current.put(row.getString("order_id"), doc);
            }
          }
          return current;
        });
  }

  /** Writes the folded views back with one statement. */
  private Future<Void> write(SqlConnection conn, int generation, Map<String, JsonObject> views) {
    int size = views.size();
    String[] orderIds = new String[size];
    String[] customerIds = new String[size];
    String[] statuses = new String[size];
    OffsetDateTime[] createdAt = new OffsetDateTime[size];
    String[] docs = new String[size];
    int i = 0;
    for (Map.Entry<String, JsonObject> view : views.entrySet()) {
      orderIds[i] = view.getKey();
      customerIds[i] = view.getValue().getString("customerId");
      statuses[i] = view.getValue().getString("status");
      createdAt[i] = OffsetDateTime.parse(view.getValue().getString("createdAt"));
      docs[i] = view.getValue().encode();
      i++;
    }
    return conn.preparedQuery("UPDATE " + table(generation) + " AS v SET customer_id = u.customer_id, status = u.status, "
            + "created_at = u.created_at, doc = u.doc::jsonb "
            + "FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS u(order_id, customer_id, status, created_at, doc) "
            + "WHERE v.order_id = u.order_id")
        .execute(Tuple.tuple().addArrayOfString(orderIds).addArrayOfString(customerIds).addArrayOfString(statuses)
            .addArrayOfOffsetDateTime(createdAt).addArrayOfString(docs))
        .mapEmpty();
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
