package io.sagabus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.node.RunningNode;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog.StartFrom;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.testing.Http;
import io.sagabus.testing.OrderLoad;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Orders through the HTTP API on one node running every role, and the domain events their sagas publish through the
 * outbox and the relay, read back by a consumer group of the node's event log. Subclasses choose the backends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderEventsScenarios {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-01";

  protected final String run = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final List<DomainEvent> received = Collections.synchronizedList(new ArrayList<>());
  private TestCluster cluster;
  private RunningNode node;
  private String url;

  /** Backends and table prefixes, merged over the common settings. */
  abstract JsonObject backendConfig();

  void cleanUp() {}

  @BeforeAll
  void startNode() throws Exception {
    cluster = new TestCluster();
    node = cluster.startNode(new JsonObject()
        .put("inventory", new JsonObject().put("seed", new JsonObject()
            .put("SKU-EV", new JsonObject().put("stock", 1_000).put("price", 100))
            .put("SKU-SCARCE", new JsonObject().put("stock", 1).put("price", 100))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put("c-rich", 1_000_000).put("c-poor", 50)))
        .put("relay", new JsonObject().put("pollMs", 20))
        .put("events", new JsonObject().put("topicPrefix", run + "-"))
        .mergeIn(backendConfig(), true));
    url = node.httpUrl();
    node.context().backends().events().subscribe("order-events-test", EventTopics.ALL, StartFrom.EARLIEST, event -> {
      received.add(event);
      return Future.succeededFuture();
    }).await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  void stopNode() {
    TestCluster.await(node.close());
    cluster.close();
    cleanUp();
  }

  @Test
  void completedOrders_eachPublishExactlyOneOrderCompleted_andTheirWholeStory() throws Exception {
    List<JsonObject> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      outcomes.add(place(OrderLoad.order("c-rich", "SKU-EV", 3)));
    }
    outcomes.forEach(outcome -> assertThat(outcome.getString("status")).isEqualTo("COMPLETED"));

    List<String> story = List.of(EventTopics.ORDER_CREATED, EventTopics.INVENTORY_RESERVED, EventTopics.PAYMENT_PROCESSED,
        EventTopics.INVENTORY_CONFIRMED, EventTopics.SHIPMENT_CREATED, EventTopics.ORDER_COMPLETED);
    for (JsonObject outcome : outcomes) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(types(outcome.getString("sagaId"))).containsAll(story));
    }
    awaitOutboxDrained();
    for (JsonObject outcome : outcomes) {
      String sagaId = outcome.getString("sagaId");
      List<DomainEvent> events = eventsOf(sagaId);
      assertThat(types(sagaId)).as("one event of each kind, nothing else").containsExactlyInAnyOrderElementsOf(story);
      DomainEvent completed = only(sagaId, EventTopics.ORDER_COMPLETED);
      assertThat(completed.key()).isEqualTo(outcome.getString("orderId"));
      assertThat(completed.payload().getLong("amount")).isEqualTo(300L);
      DomainEvent created = only(sagaId, EventTopics.ORDER_CREATED);
      assertThat(created.payload().getString("customerId")).isEqualTo("c-rich");
      assertThat(created.payload().getJsonArray("items")).isEqualTo(new JsonArray().add(new JsonObject().put("sku", "SKU-EV").put("qty", 3)));
      assertThat(created.payload().getString("paymentMethod")).isEqualTo("card");
      assertThat(created.payload().getJsonObject("shippingAddress").getString("country")).isEqualTo("US");
      assertThat(only(sagaId, EventTopics.PAYMENT_PROCESSED).payload().getLong("amount")).isEqualTo(300L);
      assertThat(only(sagaId, EventTopics.INVENTORY_RESERVED).payload().getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(100L);
      assertThat(events).allSatisfy(event -> {
        assertThat(event.key()).isEqualTo(outcome.getString("orderId"));
        assertThat(event.traceparent()).matches(TRACEPARENT);
      });
      assertThat(events.stream().map(event -> event.traceparent().substring(3, 35)).distinct()).as("one trace per saga").hasSize(1);
    }
  }

  @Test
  void paymentDeclined_publishesNoPaymentProcessed_andTellsOfTheUndoing() throws Exception {
    JsonObject outcome = place(OrderLoad.order("c-poor", "SKU-EV", 1));
    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    String sagaId = outcome.getString("sagaId");

    await().atMost(WAIT).untilAsserted(() -> assertThat(types(sagaId))
        .contains(EventTopics.ORDER_CREATED, EventTopics.INVENTORY_RESERVED, EventTopics.INVENTORY_RELEASED, EventTopics.ORDER_CANCELLED));
    awaitOutboxDrained();
    assertThat(types(sagaId)).doesNotContain(EventTopics.PAYMENT_PROCESSED, EventTopics.PAYMENT_REFUNDED, EventTopics.ORDER_COMPLETED)
        .hasSize(4);
  }

  @Test
  void outOfStock_publishesNoInventoryReserved() throws Exception {
    JsonObject outcome = place(OrderLoad.order("c-rich", "SKU-SCARCE", 5));
    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    String sagaId = outcome.getString("sagaId");

    await().atMost(WAIT).untilAsserted(() -> assertThat(types(sagaId)).contains(EventTopics.ORDER_CREATED, EventTopics.ORDER_CANCELLED));
    awaitOutboxDrained();
    assertThat(types(sagaId)).containsExactlyInAnyOrder(EventTopics.ORDER_CREATED, EventTopics.ORDER_CANCELLED);
  }

  @Test
  void callersTraceparent_isTheTraceOfEveryEventOfItsSagaAndOfItsChoreographedFlow() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerTrace = "00-" + traceId + "-00f067aa0ba902b7-01";
    JsonObject saga = place("orchestration", OrderLoad.order("c-rich", "SKU-EV", 1), callerTrace);
    JsonObject flow = place("choreography", OrderLoad.order("c-rich", "SKU-EV", 1), callerTrace);
    assertThat(saga.getString("status")).isEqualTo("COMPLETED");
    assertThat(flow.getString("status")).isEqualTo("COMPLETED");

    for (String sagaId : List.of(saga.getString("sagaId"), flow.getString("sagaId"))) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(types(sagaId)).contains(EventTopics.ORDER_CREATED, EventTopics.ORDER_COMPLETED));
      assertThat(eventsOf(sagaId)).allSatisfy(event -> assertThat(event.traceparent()).matches(TRACEPARENT).contains("-" + traceId + "-"));
    }
  }

  @Test
  void malformedTraceparent_isIgnored_andTheSagasTraceDerivesFromItsId() throws Exception {
    String malformed = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
    JsonObject saga = place("orchestration", OrderLoad.order("c-rich", "SKU-EV", 1), malformed);
    JsonObject other = place("orchestration", OrderLoad.order("c-rich", "SKU-EV", 1), "not-a-trace");
    assertThat(saga.getString("status")).isEqualTo("COMPLETED");

    await().atMost(WAIT).untilAsserted(() -> assertThat(types(saga.getString("sagaId"))).contains(EventTopics.ORDER_COMPLETED));
    await().atMost(WAIT).untilAsserted(() -> assertThat(types(other.getString("sagaId"))).contains(EventTopics.ORDER_COMPLETED));
    String trace = only(saga.getString("sagaId"), EventTopics.ORDER_COMPLETED).traceparent().substring(3, 35);
    String otherTrace = only(other.getString("sagaId"), EventTopics.ORDER_COMPLETED).traceparent().substring(3, 35);
    assertThat(trace).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32)).isNotEqualTo(otherTrace);
  }

  private JsonObject place(JsonObject order) {
    Http.Response response = Http.call("POST", url + "/api/orders?wait=10000", null, order.encode());
    assertThat(response.status()).as(response.text()).isEqualTo(200);
    return response.json();
  }

  private JsonObject place(String mode, JsonObject order, String traceparent) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/orders?wait=10000&mode=" + mode)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json").header("traceparent", traceparent)
        .POST(HttpRequest.BodyPublishers.ofString(order.encode())).build();
    HttpResponse<String> response = Http.send(request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  /** Waits until /health reports an empty outbox, then a moment for the consumer to catch up with the log. */
  private void awaitOutboxDrained() throws InterruptedException {
    await().atMost(WAIT).untilAsserted(() -> assertThat(outboxCheck().getJsonObject("data").getLong("backlog")).isZero());
    Thread.sleep(1_500);
  }

  private JsonObject outboxCheck() {
    JsonObject health = Http.getJson(url + "/health");
    for (Object group : health.getJsonArray("checks", new JsonArray())) {
      if ("readiness".equals(((JsonObject) group).getString("id"))) {
        for (Object check : ((JsonObject) group).getJsonArray("checks")) {
          if ("outbox".equals(((JsonObject) check).getString("id"))) {
            return (JsonObject) check;
          }
        }
      }
    }
    throw new AssertionError("no readiness/outbox check in " + health.encode());
  }

  /** The saga's events, each delivery once: a redelivered duplicate (same eventId) is not a second event. */
  private List<DomainEvent> eventsOf(String sagaId) {
    synchronized (received) {
      Map<String, DomainEvent> byId = received.stream().filter(event -> sagaId.equals(event.sagaId()))
          .collect(Collectors.toMap(DomainEvent::eventId, event -> event, (first, again) -> first, java.util.LinkedHashMap::new));
      return List.copyOf(byId.values());
    }
  }

  private List<String> types(String sagaId) {
    return eventsOf(sagaId).stream().map(DomainEvent::type).toList();
  }

  private DomainEvent only(String sagaId, String type) {
    List<DomainEvent> matching = eventsOf(sagaId).stream().filter(event -> event.type().equals(type)).toList();
    assertThat(matching).as(type + " of saga " + sagaId).hasSize(1);
    return matching.get(0);
  }
}
