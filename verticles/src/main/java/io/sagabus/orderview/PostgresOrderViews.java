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

  /** The arrays {@link #rows} binds, as a relation {@code u} of view rows. */
  private static final String VIEW_ROWS = "unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) "
      + "AS u(order_id, customer_id, status, created_at, doc)";

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
            // Room on each page for a view's next version: an update that changes no indexed column stays on its page
            // and writes no index entry (a HOT update), which is most of a view's updates.
            + "created_at timestamptz NOT NULL, doc jsonb NOT NULL) WITH (fillfactor = 70)",
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
   * One transaction and a handful of statements whatever the batch size: the inbox takes the batch's ids (those
   * already there drop out), the touched views are locked and read, their new events are folded in Java in list
   * order, and the views are written back, existing ones with one UPDATE and new ones with one INSERT.
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
          return foldIntoViews(conn, generation, fresh).map(applied);
        }));
  }

  /**
   * Locks the views {@code events} touch (in key order), folds the events into them and writes them back. A view
   * that a concurrent batch created after the lock (its INSERT met a row that was not there) goes round once more,
   * now locked like any other: nothing overwrites events another transaction applied. A crossing of such a late
   * lock with another batch's can make PostgreSQL abort one of them as a deadlock; the event log delivers that batch
   * again.
   */
  private Future<Void> foldIntoViews(SqlConnection conn, int generation, List<DomainEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] orderIds = events.stream().map(DomainEvent::key).distinct().sorted().toArray(String[]::new);
    return conn.preparedQuery("SELECT order_id, doc FROM " + table(generation) + " WHERE order_id = ANY($1::text[]) "
            + "ORDER BY order_id FOR UPDATE")
        .execute(Tuple.of(orderIds))
        .compose(locked -> {
          Map<String, JsonObject> current = new HashMap<>();
          locked.forEach(row -> current.put(row.getString("order_id"), row.getJsonObject("doc")));
          Map<String, JsonObject> existing = new TreeMap<>();
          Map<String, JsonObject> created = new TreeMap<>();
          OrderFold.applyAll(current::get, events)
              .forEach((orderId, view) -> (current.containsKey(orderId) ? existing : created).put(orderId, view));
          // Pipelined: both go out before either answers.
          Future<?> updated = existing.isEmpty() ? Future.succeededFuture()
              : conn.preparedQuery("UPDATE " + table(generation) + " AS v SET customer_id = u.customer_id, status = u.status, "
                  + "created_at = u.created_at, doc = u.doc::jsonb FROM " + VIEW_ROWS + " WHERE v.order_id = u.order_id")
                  .execute(rows(existing));
          Future<Set<String>> inserted = created.isEmpty() ? Future.succeededFuture(Set.of())
              : conn.preparedQuery("INSERT INTO " + table(generation) + " (order_id, customer_id, status, created_at, doc) "
                  + "SELECT u.order_id, u.customer_id, u.status, u.created_at, u.doc::jsonb FROM " + VIEW_ROWS
                  + " ON CONFLICT (order_id) DO NOTHING RETURNING order_id")
                  .execute(rows(created))
                  .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(row -> ids.add(row.getString("order_id")));
                    return ids;
                  });
          return Future.all(updated, inserted).compose(ignored -> foldIntoViews(conn, generation, events.stream()
              .filter(event -> created.containsKey(event.key()) && !inserted.result().contains(event.key())).toList()));
        });
  }

  /** The columns of {@code views} as the arrays of {@link #VIEW_ROWS}. */
  private static Tuple rows(Map<String, JsonObject> views) {
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
    return Tuple.tuple().addArrayOfString(orderIds).addArrayOfString(customerIds).addArrayOfString(statuses)
        .addArrayOfOffsetDateTime(createdAt).addArrayOfString(docs);
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
