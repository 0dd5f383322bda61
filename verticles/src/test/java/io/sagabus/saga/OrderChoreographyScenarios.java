package io.sagabus.saga;

import static io.sagabus.saga.SagaTestSupport.get;
import static io.sagabus.saga.SagaTestSupport.order;
import static io.sagabus.saga.SagaTestSupport.post;
import static io.sagabus.saga.SagaTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.node.RunningNode;
import io.sagabus.notification.contract.NotificationAddresses;
import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.platform.choreography.FlowEvents;
import io.sagabus.platform.events.DomainEvent;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The order flow run choreographed, end to end through the HTTP API on one node running every role: the services
 * react to each other's events on the node's event log and compensate through events. The scenarios and the books
 * they check are those of {@link OrderSagaScenarios}; subclasses choose the log (Kafka or embedded) and how the mode
 * is chosen (config default or per request). Each scenario uses its own SKUs and customers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderChoreographyScenarios {

  private static final long WAIT_MS = 20_000;

  private TestCluster cluster;
  private RunningNode node;
  private String url;
  private EventLog.Subscription trail;
  /** Every choreographed flow's events on the node's log, by flow id, as a consumer group of the test's own sees them. */
  private final Map<String, List<DomainEvent>> eventsByFlow = new ConcurrentHashMap<>();

  /** Node config beyond stock and customers: the event log, stores, and possibly {@code saga.mode}. */
  abstract JsonObject nodeConfig();

  /** The query that places a choreographed order: {@code ?mode=choreography}, or nothing when it is the default. */
  abstract String choreographyQuery();

  @BeforeAll
  void startNode() {
    cluster = new TestCluster();
    JsonObject stock = new JsonObject();
    for (String sku : List.of("SKU-HAPPY", "SKU-DECLINE", "SKU-SHIP", "SKU-NOTIFY", "SKU-RETRY", "SKU-DUP", "SKU-IDEM", "SKU-ORCH")) {
      stock.put(sku, new JsonObject().put("stock", 10).put("price", 100));
    }
    stock.put("SKU-FEW", new JsonObject().put("stock", 1).put("price", 100));
    JsonObject customers = new JsonObject();
    for (String customer : List.of("c-happy", "c-oos", "c-ship", "c-notify", "c-retry", "c-dup", "c-idem", "c-orch")) {
      customers.put(customer, 10_000);
    }
    customers.put("c-poor", 50);
    node = cluster.startNode(new JsonObject()
        .put("inventory", new JsonObject().put("seed", stock))
        .put("payment", new JsonObject().put("customers", customers))
        .mergeIn(nodeConfig(), true));
    url = node.httpUrl();
    // The node's reactors create the topics at the same time; a subscription that loses that race is tried again,
    // as the reactors do themselves.
    trail = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> TestCluster.await(node.context().backends().events()
        .subscribe("scenario-trail", EventTopics.ALL, EventLog.StartFrom.EARLIEST, event -> {
          if (FlowEvents.choreographed(event)) {
            eventsByFlow.computeIfAbsent(event.sagaId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(event);
          }
          return Future.succeededFuture();
        })), subscription -> subscription != null);
  }

  @AfterAll
  void stopNode() {
    TestCluster.await(trail.close());
    SagaTestSupport.stop(node);
  }

  @AfterEach
  void clearFaults() {
    for (String address : List.of(PaymentAddresses.FAULTS, NotificationAddresses.FAULTS)) {
      request(node.vertx(), address, new JsonObject().put("reset", true));
    }
  }

  @Test
  void allStepsSucceed_orderCompletedStockSoldAccountChargedOnce() {
    SagaTestSupport.Response placed = place(order("c-happy", "SKU-HAPPY", 3, "US"), "wait=" + WAIT_MS);

    assertThat(placed.status()).isEqualTo(200);
    assertThat(placed.body().getString("status")).isEqualTo("COMPLETED");
    assertThat(placed.body().getString("mode")).isEqualTo("choreography");
    String orderId = placed.body().getString("orderId");
    String flowId = placed.body().getString("sagaId");
    assertThat(placed.header("Location")).isEqualTo("/api/orders/" + orderId);
    JsonObject orderView = get(url, "/api/orders/" + orderId).body();
    assertThat(orderView.getString("status")).isEqualTo("COMPLETED");
    assertThat(orderView.getLong("amount")).isEqualTo(300);
    assertThat(orderView.getString("sagaId")).isEqualTo(flowId);
    assertThat(stock("SKU-HAPPY")).isEqualTo(new long[] {7, 0, 3});
    JsonObject account = account("c-happy");
    assertThat(account.getLong("balance")).isEqualTo(10_000 - 300);
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getJsonArray("refunds")).isEmpty();
    assertThat(get(url, "/api/sagas/" + flowId).status()).as("no orchestrator ran this order").isEqualTo(404);
    awaitTrail(flowId, EventTopics.ORDER_PLACED, EventTopics.ORDER_CREATED, EventTopics.INVENTORY_RESERVED,
        EventTopics.PAYMENT_PROCESSED, EventTopics.INVENTORY_CONFIRMED, EventTopics.SHIPMENT_CREATED, EventTopics.ORDER_COMPLETED);
  }

  @Test
  void paymentDeclined_releasesInventoryAndCancelsOrder() {
    JsonObject outcome = placeAndWait(order("c-poor", "SKU-DECLINE", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("CANCELLED");
    assertThat(stock("SKU-DECLINE")).isEqualTo(new long[] {10, 0, 0});
    JsonObject account = account("c-poor");
    assertThat(account.getLong("balance")).isEqualTo(50);
    assertThat(account.getJsonArray("charges")).isEmpty();
    String flowId = outcome.getString("sagaId");
    awaitTrail(flowId, EventTopics.ORDER_PLACED, EventTopics.ORDER_CREATED, EventTopics.INVENTORY_RESERVED,
        EventTopics.PAYMENT_DECLINED, EventTopics.INVENTORY_RELEASED, EventTopics.ORDER_CANCELLED);
    assertThat(event(flowId, EventTopics.ORDER_CANCELLED).payload().getString("reason")).contains("insufficient funds");
    assertThat(event(flowId, EventTopics.ORDER_CANCELLED).payload().getString("failedStep")).isEqualTo("charge-payment");
  }

  @Test
  void outOfStock_cancelsOrderAndChargesNothing() {
    JsonObject outcome = placeAndWait(order("c-oos", "SKU-FEW", 5, "US"));

    assertThat(outcome.getString("status")).isEqualTo("CANCELLED");
    assertThat(stock("SKU-FEW")).isEqualTo(new long[] {1, 0, 0});
    assertThat(account("c-oos").getJsonArray("charges")).isEmpty();
    assertThat(account("c-oos").getLong("balance")).isEqualTo(10_000);
    String flowId = outcome.getString("sagaId");
    awaitTrail(flowId, EventTopics.ORDER_PLACED, EventTopics.ORDER_CREATED, EventTopics.INVENTORY_REJECTED, EventTopics.ORDER_CANCELLED);
    assertThat(event(flowId, EventTopics.ORDER_CANCELLED).payload().getString("reason")).contains("out of stock");
  }

  @Test
  void shipmentRejected_restocksRefundsReleasesAndCancelsOrder() {
    JsonObject outcome = placeAndWait(order("c-ship", "SKU-SHIP", 2, "AQ"));

    assertThat(outcome.getString("status")).isEqualTo("CANCELLED");
    assertThat(stock("SKU-SHIP")).isEqualTo(new long[] {10, 0, 0});
    JsonObject account = account("c-ship");
    assertThat(account.getLong("balance")).isEqualTo(10_000);
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getJsonArray("refunds")).hasSize(1);
    awaitTrail(outcome.getString("sagaId"), EventTopics.ORDER_PLACED, EventTopics.ORDER_CREATED, EventTopics.INVENTORY_RESERVED,
        EventTopics.PAYMENT_PROCESSED, EventTopics.INVENTORY_CONFIRMED, EventTopics.SHIPMENT_REJECTED, EventTopics.INVENTORY_RESTOCKED,
        EventTopics.PAYMENT_REFUNDED, EventTopics.INVENTORY_RELEASED, EventTopics.ORDER_CANCELLED);
  }

  @Test
  void notificationFails_orderStillCompletes() {
    request(node.vertx(), NotificationAddresses.FAULTS, new JsonObject().put("op", "send").put("failAlways", true));

    JsonObject outcome = placeAndWait(order("c-notify", "SKU-NOTIFY", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("COMPLETED");
    assertThat(stock("SKU-NOTIFY")).isEqualTo(new long[] {9, 0, 1});
    assertThat(account("c-notify").getLong("balance")).isEqualTo(10_000 - 100);
  }

  @Test
  void chargeFailsTransientlyTwice_isRedeliveredAndChargedOnce() {
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("op", "charge").put("failNext", 2));

    JsonObject outcome = placeAndWait(order("c-retry", "SKU-RETRY", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("COMPLETED");
    assertThat(account("c-retry").getJsonArray("charges")).hasSize(1);
    assertThat(account("c-retry").getLong("balance")).isEqualTo(10_000 - 100);
    assertThat(stock("SKU-RETRY")).isEqualTo(new long[] {9, 0, 1});
  }

  @Test
  void eventsPublishedAgainUnderNewIds_changeNoBooks() {
    JsonObject outcome = placeAndWait(order("c-dup", "SKU-DUP", 2, "US"));
    assertThat(outcome.getString("status")).isEqualTo("COMPLETED");
    String flowId = outcome.getString("sagaId");
    // Which service reacts to which of the flow's events by running a step.
    Map<String, String> reactions = Map.of(EventTopics.ORDER_PLACED, "order", EventTopics.ORDER_CREATED, "inventory",
        EventTopics.INVENTORY_RESERVED, "payment", EventTopics.PAYMENT_PROCESSED, "inventory",
        EventTopics.INVENTORY_CONFIRMED, "shipping", EventTopics.SHIPMENT_CREATED, "order");
    await().atMost(Duration.ofSeconds(20)).until(() -> reactions.keySet().stream().allMatch(type -> count(flowId, type) >= 1));
    Map<String, Double> before = new java.util.HashMap<>();
    reactions.forEach((type, service) -> before.put(type, stepsRun(service, type)));

    // What a publisher that crashed before recording its batch as sent would do: publish the same facts again, new ids.
    List<DomainEvent> again = reactions.keySet().stream()
        .map(type -> event(flowId, type))
        .map(seen -> new DomainEvent(UUID.randomUUID().toString(), seen.type(), seen.schemaVersion(), seen.occurredAt(), seen.key(),
            seen.sagaId(), seen.traceparent(), seen.payload()))
        .toList();
    TestCluster.await(node.context().backends().events().publish(again));

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> reactions.forEach((type, service) ->
        assertThat(stepsRun(service, type)).as(service + " reacted to the copy of " + type).isEqualTo(before.get(type) + 1)));
    assertThat(stock("SKU-DUP")).isEqualTo(new long[] {8, 0, 2});
    JsonObject account = account("c-dup");
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getLong("balance")).isEqualTo(10_000 - 200);
    assertThat(get(url, "/api/orders/" + outcome.getString("orderId")).body().getString("status")).isEqualTo("COMPLETED");
    assertThat(eventsByFlow.get(flowId).stream().filter(event -> EventTopics.PAYMENT_PROCESSED.equals(event.type()))
        .map(DomainEvent::eventId).distinct().count()).as("the ledger answered the copy; nothing new was announced").isEqualTo(2);
  }

  @Test
  void idempotencyKeyReplay_placesOneOrder() {
    String key = "key-" + UUID.randomUUID();
    JsonObject body = order("c-idem", "SKU-IDEM", 1, "US");

    SagaTestSupport.Response first = postWithKey(body, key, "wait=" + WAIT_MS);
    SagaTestSupport.Response replay = postWithKey(body, key, "wait=" + WAIT_MS);
    SagaTestSupport.Response otherBody = postWithKey(order("c-idem", "SKU-IDEM", 2, "US"), key, null);

    assertThat(first.body().getString("status")).isEqualTo("COMPLETED");
    assertThat(replay.body().getString("orderId")).isEqualTo(first.body().getString("orderId"));
    assertThat(replay.body().getString("sagaId")).isEqualTo(first.body().getString("sagaId"));
    assertThat(otherBody.status()).isEqualTo(422);
    assertThat(otherBody.body().getString("type")).endsWith("idempotency-key-reused");
    assertThat(account("c-idem").getJsonArray("charges")).hasSize(1);
    assertThat(stock("SKU-IDEM")).isEqualTo(new long[] {9, 0, 1});
  }

  @Test
  void modeInTheRequest_overridesTheDefaultAndIsValidated() {
    SagaTestSupport.Response orchestrated = post(url, "/api/orders?mode=orchestration&wait=" + WAIT_MS, order("c-orch", "SKU-ORCH", 1, "US"), null);
    assertThat(orchestrated.status()).isEqualTo(200);
    assertThat(orchestrated.header("Location")).isEqualTo("/api/sagas/" + orchestrated.body().getString("sagaId"));
    assertThat(get(url, "/api/sagas/" + orchestrated.body().getString("sagaId")).body().getString("status")).isEqualTo("COMPLETED");

    SagaTestSupport.Response bad = post(url, "/api/orders?mode=conducted", order("c-orch", "SKU-ORCH", 1, "US"), null);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(bad.body().getString("field")).isEqualTo("mode");
    assertThat(stock("SKU-ORCH")).isEqualTo(new long[] {9, 0, 1});
  }

  private SagaTestSupport.Response place(JsonObject order, String extraQuery) {
    return post(url, path(extraQuery), order, null);
  }

  private SagaTestSupport.Response postWithKey(JsonObject order, String key, String extraQuery) {
    return post(url, path(extraQuery), order, key);
  }

  private String path(String extraQuery) {
    String query = List.of(choreographyQuery(), extraQuery == null ? "" : extraQuery).stream().filter(part -> !part.isEmpty())
        .collect(Collectors.joining("&"));
    return "/api/orders" + (query.isEmpty() ? "" : "?" + query);
  }

  /** Places the order without waiting, then polls the order until it is completed or cancelled. */
  private JsonObject placeAndWait(JsonObject order) {
    SagaTestSupport.Response placed = place(order, null);
    assertThat(placed.status()).isEqualTo(202);
    assertThat(placed.body().getString("mode")).isEqualTo("choreography");
    String orderId = placed.body().getString("orderId");
    String flowId = placed.body().getString("sagaId");
    JsonObject ended = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> get(url, "/api/orders/" + orderId).body(), view -> Set.of("COMPLETED", "CANCELLED").contains(view.getString("status")));
    return ended.put("sagaId", flowId);
  }

  private void awaitTrail(String flowId, String... types) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        eventsByFlow.getOrDefault(flowId, List.of()).stream().map(DomainEvent::type).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(types));
  }

  /** How many times {@code service} ran its step for a {@code type} event (a replayed step counts: the ledger answered it). */
  private double stepsRun(String service, String type) {
    var counter = node.context().metrics().find("sagabus.choreography.reactions")
        .tags("service", service, "event", type, "outcome", "succeeded").counter();
    return counter == null ? 0 : counter.count();
  }

  private long count(String flowId, String type) {
    return eventsByFlow.getOrDefault(flowId, List.of()).stream().filter(event -> type.equals(event.type())).count();
  }

  private DomainEvent event(String flowId, String type) {
    return eventsByFlow.get(flowId).stream().filter(event -> type.equals(event.type())).findFirst().orElseThrow();
  }

  private long[] stock(String sku) {
    return SagaTestSupport.stock(url, sku);
  }

  private JsonObject account(String customerId) {
    return SagaTestSupport.account(url, customerId);
  }
}
