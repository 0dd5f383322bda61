package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;
import io.sagabus.platform.backend.PgSchema;
import io.sagabus.platform.events.DomainEvent;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Order views in PostgreSQL. Generation {@code n} is the table {@code <prefix>order_view_<n>} with its inbox
 * {@code <prefix>order_view_inbox_<n>}; readers query the SQL view {@code <prefix>order_views}, which points at the
 * active generation. Activation replaces that view and the pointer row in one transaction, so the switch is atomic
 * for every node and no query is refused while it happens.
 */
final class PostgresOrderViews implements OrderViewStore {

  static final int MAX_BATCH = 500;
  static final int MAX_IN_FLIGHT = 4;

  private final Pool pool;
  private final String prefix;
  private final Map<Integer, Batcher> batchers = new ConcurrentHashMap<>();
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
    Context caller = Vertx.currentContext();
    Promise<Boolean> applied = Promise.promise();
    Pending pending = new Pending(event, outcome -> {
      if (caller == null) {
        applied.handle(outcome);
      } else {
        caller.runOnContext(ignored -> applied.handle(outcome));
      }
    });
    batchers.computeIfAbsent(generation, Batcher::new).offer(pending);
    return applied.future();
  }

  /** An event waiting for its batch, and where its outcome goes: true when applied, false when a duplicate. */
  private record Pending(DomainEvent event, Handler<AsyncResult<Boolean>> done) {}

  /**
   * Group commit: events that arrive while {@link #MAX_IN_FLIGHT} batches are being written wait and go together in
   * the next transaction, so the cost of a transaction is shared by every event that arrived during the previous
   * one. Under light load each batch holds one event; under heavy load batches grow up to {@link #MAX_BATCH}.
   */
  private final class Batcher {
    private final int generation;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private int inFlight;

    Batcher(int generation) {
      this.generation = generation;
    }

    synchronized void offer(Pending pending) {
      queue.add(pending);
      flush();
    }

    private synchronized void flush() {
      while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
        List<Pending> batch = new ArrayList<>();
        while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
          batch.add(queue.poll());
        }
        inFlight++;
        write(generation, batch).onComplete(result -> {
          if (result.succeeded()) {
            // An event offered twice in one batch is applied once: only its first delivery is told so.
            Set<String> fresh = result.result();
            batch.forEach(pending -> pending.done().handle(Future.succeededFuture(fresh.remove(pending.event().eventId()))));
          } else {
            batch.forEach(pending -> pending.done().handle(Future.failedFuture(result.cause())));
          }
          synchronized (this) {
            inFlight--;
            flush();
          }
        });
      }
    }
  }

  /**
   * Applies a batch in one transaction and answers the ids that were new. The inbox rows go in first (duplicates
   * drop out), then the touched views are created if missing and locked, folded in Java in arrival order, and
   * written back. Rows are always locked in key order, so concurrent batches cannot deadlock.
   */
  private Future<Set<String>> write(int generation, List<Pending> batch) {
    String table = table(generation);
    List<String> eventIds = batch.stream().map(pending -> pending.event().eventId()).distinct().sorted().toList();
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO " + inbox(generation) + " (event_id) "
            + "SELECT id FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING RETURNING event_id")
        .execute(Tuple.of(eventIds.toArray(new String[0])))
        .compose(inserted -> {
          Set<String> fresh = new HashSet<>();
          inserted.forEach(row -> fresh.add(row.getString("event_id")));
          Map<String, List<DomainEvent>> byOrder = new TreeMap<>();
          Set<String> taken = new HashSet<>();
          for (Pending pending : batch) {
            DomainEvent event = pending.event();
            if (fresh.contains(event.eventId()) && taken.add(event.eventId())) {
              byOrder.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event);
            }
          }
          if (byOrder.isEmpty()) {
            return Future.succeededFuture(fresh);
          }
          String[] orderIds = byOrder.keySet().toArray(new String[0]);
          OffsetDateTime[] firstSeen = byOrder.values().stream()
              .map(events -> OffsetDateTime.ofInstant(events.get(0).occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
          return conn.preparedQuery("INSERT INTO " + table + " (order_id, status, created_at, doc) "
                  + "SELECT id, 'PENDING', at, '{}'::jsonb FROM unnest($1::text[], $2::timestamptz[]) AS t(id, at) ORDER BY id "
                  + "ON CONFLICT (order_id) DO UPDATE SET order_id = EXCLUDED.order_id RETURNING order_id, doc")
              .execute(Tuple.tuple().addArrayOfString(orderIds).addArrayOfOffsetDateTime(firstSeen))
              .compose(locked -> {
                List<Tuple> updates = new ArrayList<>();
                for (Row row : locked) {
                  JsonObject current = row.getJsonObject("doc");
                  JsonObject view = current.containsKey("orderId") ? current : null;
                  for (DomainEvent event : byOrder.get(row.getString("order_id"))) {
                    view = OrderFold.apply(view, event);
                  }
                  updates.add(Tuple.of(row.getString("order_id"), view.getString("customerId"), view.getString("status"),
                      OffsetDateTime.parse(view.getString("createdAt")), view));
                }
                return conn.preparedQuery("UPDATE " + table + " SET customer_id = $2, status = $3, created_at = $4, doc = $5 WHERE order_id = $1")
                    .executeBatch(updates)
                    .map(fresh);
              });
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
