package io.sagabus.orderview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.sagabus.node.RunningNode;
import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.security.JwtSecurity;
import io.sagabus.testing.Http;
import io.sagabus.testing.KafkaBroker;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The order read side on a real Kafka broker and PostgreSQL: one in-process node (order view and gateway) with a
 * topic prefix, consumer groups and tables of its own. Events go to Kafka through the node's own event log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderViewKafkaTest {

  private static final String SECRET = "orderview-test-secret-0123456789-abcdef";
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String tablePrefix = PgTables.uniquePrefix();
  private final String topicPrefix = "ovtest-" + run + ".";
  private TestCluster cluster;
  private RunningNode node;
  private String url;
  private String adminToken;

  @BeforeAll
  void startNode() {
    cluster = new TestCluster();
    node = cluster.startNode(new JsonObject()
        .put("roles", new JsonArray().add(OrderViewAddresses.ROLE).add("gateway"))
        .put("postgres", new JsonObject().put("url", PgTables.URL))
        .put("kafka", new JsonObject().put("bootstrap", KafkaBroker.shared().bootstrap()))
        .put("events", new JsonObject().put("topicPrefix", topicPrefix))
        .put("security", new JsonObject().put("jwtSecret", SECRET))
        .put(OrderViewAddresses.ROLE, new JsonObject().put("store", "postgres").put("tablePrefix", tablePrefix).put("statsIntervalMs", 200)));
    url = node.httpUrl();
    adminToken = JwtSecurity.mint(JwtSecurity.provider(node.vertx(), SECRET), "tester", List.of(JwtSecurity.ADMIN_ROLE), Duration.ofMinutes(10));
  }

  @AfterAll
  void stopNode() {
    var pool = PgTables.pool(node.vertx());
    PgTables.drop(pool, List.of(tablePrefix));
    cluster.close();
    KafkaBroker.shared().deleteTopicsStartingWith(topicPrefix);
  }

  private void publish(List<DomainEvent> events) {
    TestCluster.await(node.context().backends().events().publish(events));
  }

  private JsonObject views(String query) {
    Http.Response response = Http.call("GET", url + "/api/order-views?" + query, null, null);
    assertThat(response.status()).as(response.text()).isEqualTo(200);
    return response.json();
  }

  /** Every view of a customer, page by page. */
  private List<JsonObject> allViews(String customerId, int pageSize) {
    List<JsonObject> all = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = views("customerId=" + customerId + "&limit=" + pageSize + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(item -> all.add((JsonObject) item));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return all;
  }

  private double counted(String projection, String outcome) {
    Counter counter = node.context().metrics().find("sagabus.projection.events").tag("projection", projection).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private static List<DomainEvent> orders(String customerId, int completed, int cancelled, Instant start) {
    List<DomainEvent> events = new ArrayList<>();
    for (int i = 0; i < completed + cancelled; i++) {
      String orderId = "ord-" + UUID.randomUUID();
      Instant at = start.plusSeconds(i);
      events.addAll(i < completed ? OrderEvents.completed(orderId, customerId, i + 1, 100, at) : OrderEvents.cancelled(orderId, customerId, 1, 100, at));
    }
    return events;
  }

  @Test
  void eventsFromKafka_buildViews_andRedeliveredDuplicatesLeaveThemUnchanged() {
    String customer = "dup-" + run;
    List<DomainEvent> events = orders(customer, 6, 2, Instant.parse("2026-11-23T08:00:00Z"));
    publish(events);
    await().atMost(Duration.ofSeconds(60)).until(() -> allViews(customer, 500).stream()
        .filter(view -> view.getJsonArray("timeline").size() == (view.getString("status").equals("COMPLETED") ? 6 : 4)).count() == 8);
    List<JsonObject> before = allViews(customer, 3);
    double duplicatesBefore = counted("orderview", "duplicate");

    publish(events);
    await().atMost(Duration.ofSeconds(60)).until(() -> counted("orderview", "duplicate") - duplicatesBefore >= events.size());

    assertThat(allViews(customer, 3)).isEqualTo(before);
    assertThat(before).hasSize(8);
    assertThat(before.stream().filter(view -> view.getString("status").equals("CANCELLED")).count()).isEqualTo(2);
    JsonObject newestCompleted = before.stream().filter(view -> view.getString("status").equals("COMPLETED")).findFirst().orElseThrow();
    assertThat(newestCompleted.getJsonObject("totals").getLong("amount")).isEqualTo(600L);
    assertThat(newestCompleted.getString("sagaOutcome")).isEqualTo("COMPLETED");
    assertThat(views("customerId=" + customer + "&status=CANCELLED").getJsonArray("items")).hasSize(2);
  }

  @Test
  void rebuild_replaysFromOffsetZeroIntoAFreshTable_andSwitchesToAViewIdenticalToTheLiveOne() {
    String customer = "rebuild-" + run;
    publish(orders(customer, 5, 3, Instant.parse("2026-11-23T09:00:00Z")));
    await().atMost(Duration.ofSeconds(60)).until(() -> allViews(customer, 500).stream()
        .filter(view -> !view.getString("status").equals("PENDING")).count() == 8);
    List<JsonObject> live = allViews(customer, 3);

    assertThat(Http.call("POST", url + "/api/admin/order-views/rebuild", null, null).status()).isEqualTo(401);
    Http.Response started = Http.call("POST", url + "/api/admin/order-views/rebuild", adminToken, null);
    assertThat(started.status()).as(started.text()).isEqualTo(200);
    int generation = started.json().getInteger("generation");
    List<Integer> servedDuringRebuild = new CopyOnWriteArrayList<>();
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      servedDuringRebuild.add(Http.call("GET", url + "/api/order-views?customerId=" + customer, null, null).status());
      return "switched".equals(Http.call("GET", url + "/api/admin/order-views/rebuild", adminToken, null).json().getString("state"));
    });
    JsonObject status = Http.call("GET", url + "/api/admin/order-views/rebuild", adminToken, null).json();

    assertThat(servedDuringRebuild).containsOnly(200);
    assertThat(status.getInteger("generation")).isEqualTo(generation);
    assertThat(status.getLong("applied")).isGreaterThanOrEqualTo(live.stream().mapToLong(view -> view.getJsonArray("timeline").size()).sum());
    assertThat(allViews(customer, 3)).isEqualTo(live);

    String later = "rebuild-later-" + run;
    publish(orders(later, 1, 0, Instant.parse("2026-11-23T09:30:00Z")));
    await().atMost(Duration.ofSeconds(60)).until(() -> allViews(later, 10).stream().anyMatch(view -> view.getString("status").equals("COMPLETED")));
  }

  @Test
  void history_rebuildsTheOrderFromItsStoredEvents() {
    String orderId = "ord-" + UUID.randomUUID();
    List<DomainEvent> events = OrderEvents.completed(orderId, "hist-" + run, 2, 300, Instant.parse("2026-11-23T07:00:00Z"));
    publish(events);

    await().atMost(Duration.ofSeconds(60)).until(() -> {
      Http.Response response = Http.call("GET", url + "/api/orders/" + orderId + "/history", null, null);
      return response.status() == 200 && response.json().getLong("version") == events.size();
    });
    JsonObject history = Http.call("GET", url + "/api/orders/" + orderId + "/history", null, null).json();

    assertThat(history.getJsonArray("steps")).hasSize(events.size());
    assertThat(history.getJsonObject("state").getString("status")).isEqualTo("COMPLETED");
    assertThat(history.getJsonObject("state").getJsonObject("totals").getLong("amount")).isEqualTo(600L);
    assertThat(Http.call("GET", url + "/api/orders/ord-never-" + run + "/history", null, null).status()).isEqualTo(404);
  }

  @Test
  void badQueryParameters_areRefusedWithAProblemNamingTheParameter() {
    for (String[] bad : List.of(
        new String[] {"status=SHIPPED", "status"},
        new String[] {"limit=0", "limit"},
        new String[] {"limit=many", "limit"},
        new String[] {"cursor=not-a-cursor", "cursor"},
        new String[] {"customerId=", "customerId"})) {
      Http.Response response = Http.call("GET", url + "/api/order-views?" + bad[0], null, null);
      assertThat(response.status()).as(bad[0]).isEqualTo(400);
      assertThat(response.contentType()).startsWith("application/problem+json");
      assertThat(response.json().getString("field")).as(bad[0]).isEqualTo(bad[1]);
    }
  }

  @Test
  void streamStats_countOrdersRevenueAndCancelRate_overTheRecentWindow() {
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    node.vertx().eventBus().<JsonObject>consumer(OrderViewAddresses.STATS, message -> published.add(message.body()));
    String customer = "stats-" + run;
    Instant now = Instant.now();
    List<DomainEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.addAll(OrderEvents.completed("ord-" + UUID.randomUUID(), customer, 1, 100, now));
    }
    events.addAll(OrderEvents.cancelled("ord-" + UUID.randomUUID(), customer, 1, 100, now));

    publish(events);

    await().atMost(Duration.ofSeconds(30)).until(() -> !published.isEmpty() && published.get(published.size() - 1).getLong("created") >= 4);
    JsonObject stats = published.get(published.size() - 1);
    assertThat(stats.getLong("created")).isEqualTo(4L);
    assertThat(stats.getDouble("revenuePerMin")).isEqualTo(300.0);
    assertThat(stats.getDouble("cancelRate")).isEqualTo(0.25);
  }
}
