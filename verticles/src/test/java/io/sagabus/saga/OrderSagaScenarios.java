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
import io.sagabus.shipping.contract.ShippingAddresses;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The order saga end to end through the HTTP API, on one node running every role. Subclasses choose the saga store;
 * every scenario must pass on each. Each scenario uses its own SKUs and customers, so their books are independent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderSagaScenarios {

  static final int STEP_TIMEOUT_MS = 400;

  private TestCluster cluster;
  private RunningNode node;
  private String url;

  /** The {@code saga} config section choosing the store, merged over the common test settings. */
  abstract JsonObject storeConfig();

  /** Node config beyond the saga section (a Postgres URL). */
  JsonObject nodeConfig() {
    return new JsonObject();
  }

  @BeforeAll
  void startNode() {
    cluster = new TestCluster();
    JsonObject stock = new JsonObject();
    for (String sku : List.of("SKU-HAPPY", "SKU-DECLINE", "SKU-NOTIFY", "SKU-LATE", "SKU-LOST", "SKU-PARK", "SKU-RESOLVE", "SKU-IDEM", "SKU-DUP", "SKU-SENDS")) {
      stock.put(sku, new JsonObject().put("stock", 10).put("price", 100));
    }
    stock.put("SKU-FEW", new JsonObject().put("stock", 1).put("price", 100));
    JsonObject customers = new JsonObject();
    for (String customer : List.of("c-happy", "c-oos", "c-notify", "c-late", "c-lost", "c-park", "c-resolve", "c-idem", "c-dup", "c-sends")) {
      customers.put(customer, 10_000);
    }
    customers.put("c-poor", 50);
    JsonObject saga = new JsonObject()
        .put("stepTimeoutMs", STEP_TIMEOUT_MS)
        .put("retry", new JsonObject().put("maxAttempts", 2).put("initialBackoffMs", 10).put("maxBackoffMs", 20))
        .put("compensationRetry", new JsonObject().put("maxAttempts", 3).put("initialBackoffMs", 10).put("maxBackoffMs", 20))
        .mergeIn(storeConfig());
    node = cluster.startNode(new JsonObject()
        .put("inventory", new JsonObject().put("seed", stock))
        .put("payment", new JsonObject().put("customers", customers))
        .put("saga", saga)
        .mergeIn(nodeConfig(), true));
    url = node.httpUrl();
  }

  @AfterAll
  void stopNode() {
    SagaTestSupport.stop(node);
  }

  @AfterEach
  void clearFaults() {
    for (String address : List.of(PaymentAddresses.FAULTS, ShippingAddresses.FAULTS, NotificationAddresses.FAULTS)) {
      request(node.vertx(), address, new JsonObject().put("reset", true));
    }
  }

  @Test
  void allStepsSucceed_orderCompletedStockSoldAccountChargedOnce() {
    SagaTestSupport.Response placed = post(url, "/api/orders?wait=10000", order("c-happy", "SKU-HAPPY", 3, "US"), null);

    assertThat(placed.status()).isEqualTo(200);
    assertThat(placed.body().getString("status")).isEqualTo("COMPLETED");
    String orderId = placed.body().getString("orderId");
    String sagaId = placed.body().getString("sagaId");
    assertThat(placed.header("Location")).isEqualTo("/api/sagas/" + sagaId);
    JsonObject orderView = get(url, "/api/orders/" + orderId).body();
    assertThat(orderView.getString("status")).isEqualTo("COMPLETED");
    assertThat(orderView.getString("sagaId")).isEqualTo(sagaId);
    assertThat(stock("SKU-HAPPY")).isEqualTo(new long[] {7, 0, 3});
    JsonObject account = account("c-happy");
    assertThat(account.getLong("balance")).isEqualTo(10_000 - 300);
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getJsonArray("refunds")).isEmpty();
    JsonObject saga = get(url, "/api/sagas/" + sagaId).body();
    assertThat(saga.getJsonArray("steps").stream().map(step -> ((JsonObject) step).getString("status")))
        .containsOnly("SUCCEEDED");
    assertThat(saga.getJsonArray("transitions").stream().map(t -> ((JsonObject) t).getString("to")))
        .containsExactly("RUNNING", "COMPLETED");
    String metrics = SagaTestSupport.text(url, "/metrics");
    assertThat(metrics).contains("sagabus_saga_completed_total{type=\"order\"}", "sagabus_saga_started_total{type=\"order\"}",
        "sagabus_saga_duration_seconds_bucket", "sagabus_saga_step_latency_seconds_bucket", "sagabus_saga_inflight");
  }

  @Test
  void notificationStep_getsOnlyTheFieldsItSends_whileShippingStillGetsTheAddress() {
    Map<String, JsonObject> commands = new java.util.concurrent.ConcurrentHashMap<>();
    Handler<DeliveryContext<Object>> capture = delivery -> {
      String address = delivery.message().address();
      if ((address.equals(NotificationAddresses.SEND) || address.equals(ShippingAddresses.CREATE))
          && delivery.body() instanceof JsonObject command && "c-sends".equals(command.getString("customerId"))) {
        commands.put(address, command.copy());
      }
      delivery.next();
    };
    node.vertx().eventBus().addOutboundInterceptor(capture);
    try {
      JsonObject outcome = placeAndWait(order("c-sends", "SKU-SENDS", 1, "US"));
      assertThat(outcome.getString("status")).isEqualTo("COMPLETED");
    } finally {
      node.vertx().eventBus().removeOutboundInterceptor(capture);
    }

    JsonObject notification = commands.get(NotificationAddresses.SEND);
    assertThat(notification.fieldNames())
        .containsExactlyInAnyOrder("customerId", "orderId", "amount", "shipmentId", "sagaId", "step", "attempt");
    assertThat(commands.get(ShippingAddresses.CREATE).getJsonObject("shippingAddress")).isNotNull();
  }

  @Test
  void everyTransition_isPublishedOnSagaEvents() {
    List<JsonObject> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    var consumer = node.vertx().eventBus().<JsonObject>consumer(io.sagabus.saga.contract.SagaAddresses.EVENTS,
        m -> m.body().getJsonArray("events").forEach(event -> events.add((JsonObject) event)));
    TestCluster.await(consumer.completion());
    try {
      JsonObject outcome = placeAndWait(order("c-poor", "SKU-DECLINE", 1, "US"));
      String sagaId = outcome.getString("sagaId");

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events.stream()
          .filter(e -> sagaId.equals(e.getString("sagaId")) && "saga".equals(e.getString("kind"))).map(e -> e.getString("to")))
          .containsExactly("RUNNING", "COMPENSATING", "FAILED"));
      assertThat(events.stream().filter(e -> sagaId.equals(e.getString("sagaId")) && "step".equals(e.getString("kind"))
              && "charge-payment".equals(e.getString("step"))).map(e -> e.getString("to")))
          .containsExactly("RUNNING", "FAILED");
      assertThat(events.stream().filter(e -> sagaId.equals(e.getString("sagaId")) && "step".equals(e.getString("kind"))
              && "reserve-inventory".equals(e.getString("step"))).map(e -> e.getString("to")))
          .containsExactly("RUNNING", "SUCCEEDED", "COMPENSATING", "COMPENSATED");
    } finally {
      TestCluster.await(consumer.unregister());
    }
  }

  @Test
  void paymentDeclined_releasesInventoryAndCancelsOrder() {
    JsonObject outcome = placeAndWait(order("c-poor", "SKU-DECLINE", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    assertThat(outcome.getString("error")).contains("insufficient funds");
    assertThat(stepStatus(outcome, "charge-payment")).isEqualTo("FAILED");
    assertThat(stepStatus(outcome, "reserve-inventory")).isEqualTo("COMPENSATED");
    assertThat(stepStatus(outcome, "create-order")).isEqualTo("COMPENSATED");
    assertThat(stock("SKU-DECLINE")).isEqualTo(new long[] {10, 0, 0});
    assertThat(get(url, "/api/orders/" + outcome.getString("orderId")).body().getString("status")).isEqualTo("CANCELLED");
    JsonObject account = account("c-poor");
    assertThat(account.getLong("balance")).isEqualTo(50);
    assertThat(account.getJsonArray("charges")).isEmpty();
  }

  @Test
  void outOfStock_cancelsOrderAndChargesNothing() {
    JsonObject outcome = placeAndWait(order("c-oos", "SKU-FEW", 5, "US"));

    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    assertThat(outcome.getString("error")).contains("out of stock");
    assertThat(get(url, "/api/orders/" + outcome.getString("orderId")).body().getString("status")).isEqualTo("CANCELLED");
    assertThat(stock("SKU-FEW")).isEqualTo(new long[] {1, 0, 0});
    assertThat(account("c-oos").getJsonArray("charges")).isEmpty();
    assertThat(account("c-oos").getLong("balance")).isEqualTo(10_000);
  }

  @Test
  void notificationFails_orderStillCompletes() {
    request(node.vertx(), NotificationAddresses.FAULTS, new JsonObject().put("op", "send").put("failAlways", true));

    JsonObject outcome = placeAndWait(order("c-notify", "SKU-NOTIFY", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("COMPLETED");
    assertThat(stepStatus(outcome, "send-notification")).isEqualTo("SKIPPED");
    assertThat(step(outcome, "send-notification").getJsonArray("attempts")).hasSize(2);
    assertThat(get(url, "/api/orders/" + outcome.getString("orderId")).body().getString("status")).isEqualTo("COMPLETED");
    assertThat(stock("SKU-NOTIFY")).isEqualTo(new long[] {9, 0, 1});
  }

  @Test
  void chargeTimedOutButSucceededLate_isRefundedExactlyOnce() throws InterruptedException {
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("op", "charge").put("replyDelayMs", STEP_TIMEOUT_MS * 3));

    JsonObject outcome = placeAndWait(order("c-late", "SKU-LATE", 2, "US"));

    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    JsonObject charge = step(outcome, "charge-payment");
    assertThat(charge.getString("status")).isEqualTo("COMPENSATED");
    assertThat(charge.getJsonArray("attempts").stream().map(a -> ((JsonObject) a).getString("outcome")))
        .containsExactly("unknown", "unknown", "ok", "ok");
    Thread.sleep(STEP_TIMEOUT_MS * 4L);
    JsonObject account = account("c-late");
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getJsonArray("refunds")).hasSize(1);
    assertThat(account.getLong("balance")).isEqualTo(10_000);
    assertThat(stock("SKU-LATE")).isEqualTo(new long[] {10, 0, 0});
  }

  @Test
  void chargeTimedOutAndNeverHappened_isNotRefunded() throws InterruptedException {
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("op", "charge").put("dropAlways", true));

    JsonObject outcome = placeAndWait(order("c-lost", "SKU-LOST", 1, "US"));

    assertThat(outcome.getString("status")).isEqualTo("FAILED");
    assertThat(stepStatus(outcome, "charge-payment")).isEqualTo("NOT_NEEDED");
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("reset", true));
    // A late copy of the lost charge must now be refused: the status query fenced the step.
    JsonObject late = new JsonObject().put("sagaId", outcome.getString("sagaId")).put("step", "charge-payment").put("attempt", 9)
        .put("customerId", "c-lost").put("amount", 100);
    assertThat(TestCluster.await(node.vertx().eventBus().request(PaymentAddresses.CHARGE, late).map(m -> "charged").otherwise("refused")))
        .isEqualTo("refused");
    JsonObject account = account("c-lost");
    assertThat(account.getJsonArray("charges")).isEmpty();
    assertThat(account.getJsonArray("refunds")).isEmpty();
    assertThat(stock("SKU-LOST")).isEqualTo(new long[] {10, 0, 0});
  }

  @Test
  void refundKeepsFailing_parksSagaThenAdminRetryCompletesCompensation() {
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("op", "refund").put("failAlways", true));

    JsonObject parked = placeAndWait(order("c-park", "SKU-PARK", 1, "AQ"));

    assertThat(parked.getString("status")).isEqualTo("COMPENSATION_FAILED");
    assertThat(stepStatus(parked, "create-shipment")).isEqualTo("FAILED");
    assertThat(stepStatus(parked, "confirm-inventory")).isEqualTo("COMPENSATED");
    assertThat(stepStatus(parked, "charge-payment")).isEqualTo("COMPENSATION_FAILED");
    assertThat(stepStatus(parked, "reserve-inventory")).isEqualTo("SUCCEEDED");
    String sagaId = parked.getString("sagaId");
    // The list reads the store, which can lag the live view of a running saga by one journal flush.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(get(url, "/api/sagas?status=parked&limit=500").body()
        .getJsonArray("items").stream().map(s -> ((JsonObject) s).getString("sagaId"))).contains(sagaId));
    assertThat(account("c-park").getLong("balance")).isEqualTo(10_000 - 100);

    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("reset", true));
    SagaTestSupport.Response retried = post(url, "/api/admin/sagas/" + sagaId + "/retry", new JsonObject(), null);
    assertThat(retried.status()).isEqualTo(200);

    JsonObject done = awaitEnded(sagaId);
    assertThat(done.getString("status")).isEqualTo("FAILED");
    assertThat(stepStatus(done, "charge-payment")).isEqualTo("COMPENSATED");
    assertThat(stepStatus(done, "create-order")).isEqualTo("COMPENSATED");
    assertThat(account("c-park").getLong("balance")).isEqualTo(10_000);
    assertThat(account("c-park").getJsonArray("refunds")).hasSize(1);
    assertThat(stock("SKU-PARK")).isEqualTo(new long[] {10, 0, 0});
    assertThat(post(url, "/api/admin/sagas/" + sagaId + "/retry", new JsonObject(), null).status()).isEqualTo(409);
  }

  @Test
  void parkedSaga_canBeResolvedWithAReason() {
    request(node.vertx(), PaymentAddresses.FAULTS, new JsonObject().put("op", "refund").put("failAlways", true));
    JsonObject parked = placeAndWait(order("c-resolve", "SKU-RESOLVE", 1, "AQ"));
    assertThat(parked.getString("status")).isEqualTo("COMPENSATION_FAILED");
    String resolvePath = "/api/admin/sagas/" + parked.getString("sagaId") + "/resolve";

    assertThat(post(url, resolvePath, new JsonObject(), null).body().getString("field")).isEqualTo("reason");
    SagaTestSupport.Response resolved = post(url, resolvePath, new JsonObject().put("reason", "refunded by hand, ticket 42"), null);

    assertThat(resolved.status()).as("resolve answered %s", resolved.body()).isEqualTo(200);
    assertThat(resolved.body().getString("status")).isEqualTo("RESOLVED");
    assertThat(resolved.body().getJsonObject("resolution").getString("reason")).isEqualTo("refunded by hand, ticket 42");
    assertThat(get(url, "/api/sagas/" + parked.getString("sagaId")).body().getString("status")).isEqualTo("RESOLVED");
    assertThat(post(url, resolvePath, new JsonObject().put("reason", "again"), null).status()).isEqualTo(409);
    assertThat(post(url, "/api/admin/sagas/" + UUID.randomUUID() + "/retry", new JsonObject(), null).status()).isEqualTo(404);
  }

  @Test
  void duplicateChargeDelivery_chargesOnce() {
    String sagaId = UUID.randomUUID().toString();
    JsonObject command = new JsonObject().put("sagaId", sagaId).put("step", "charge-payment").put("attempt", 1)
        .put("customerId", "c-dup").put("amount", 700);

    JsonObject first = request(node.vertx(), PaymentAddresses.CHARGE, command);
    JsonObject second = request(node.vertx(), PaymentAddresses.CHARGE, command.copy().put("attempt", 2));

    assertThat(second.getString("chargeId")).isEqualTo(first.getString("chargeId"));
    JsonObject account = account("c-dup");
    assertThat(account.getJsonArray("charges")).hasSize(1);
    assertThat(account.getLong("balance")).isEqualTo(10_000 - 700);
    JsonObject refund = command.copy().put("compensation", true);
    request(node.vertx(), PaymentAddresses.REFUND, refund);
    request(node.vertx(), PaymentAddresses.REFUND, refund);
    assertThat(account("c-dup").getLong("balance")).isEqualTo(10_000);
    assertThat(account("c-dup").getJsonArray("refunds")).hasSize(1);
  }

  @Test
  void idempotencyKeyReplay_createsOneSaga() {
    String key = "key-" + UUID.randomUUID();
    JsonObject body = order("c-idem", "SKU-IDEM", 1, "US");

    SagaTestSupport.Response first = post(url, "/api/orders?wait=10000", body, key);
    SagaTestSupport.Response replay = post(url, "/api/orders", body, key);
    SagaTestSupport.Response otherBody = post(url, "/api/orders", order("c-idem", "SKU-IDEM", 2, "US"), key);

    assertThat(first.body().getString("sagaId")).isNotNull();
    assertThat(replay.body().getString("sagaId")).isEqualTo(first.body().getString("sagaId"));
    assertThat(replay.body().getString("orderId")).isEqualTo(first.body().getString("orderId"));
    assertThat(otherBody.status()).isEqualTo(422);
    assertThat(otherBody.body().getString("type")).endsWith("idempotency-key-reused");
    assertThat(account("c-idem").getJsonArray("charges")).hasSize(1);
    assertThat(stock("SKU-IDEM")).isEqualTo(new long[] {9, 0, 1});
  }

  @Test
  void badInputAndUnknownIds_getProblems() {
    SagaTestSupport.Response noItems = post(url, "/api/orders", order("c-happy", "SKU-HAPPY", 1, "US").put("items", new JsonArray()), null);
    assertThat(noItems.status()).isEqualTo(400);
    assertThat(noItems.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(noItems.body().getString("field")).isEqualTo("items");
    SagaTestSupport.Response badQty = post(url, "/api/orders", order("c-happy", "SKU-HAPPY", 0, "US"), null);
    assertThat(badQty.body().getString("field")).isEqualTo("items[0].qty");
    SagaTestSupport.Response noAddress = post(url, "/api/orders", order("c-happy", "SKU-HAPPY", 1, "US").put("shippingAddress", "x"), null);
    assertThat(noAddress.body().getString("field")).isEqualTo("shippingAddress");
    assertThat(SagaTestSupport.postRaw(url, "/api/orders", "not json").status()).isEqualTo(400);
    assertThat(get(url, "/api/sagas?limit=0").body().getString("field")).isEqualTo("limit");
    assertThat(get(url, "/api/sagas?status=bogus").status()).isEqualTo(400);
    assertThat(get(url, "/api/sagas/" + UUID.randomUUID()).status()).isEqualTo(404);
    assertThat(get(url, "/api/orders/nope").status()).isEqualTo(404);
    assertThat(get(url, "/api/inventory/NOPE").status()).isEqualTo(404);
    assertThat(get(url, "/api/customers/nope/account").status()).isEqualTo(404);
    assertThat(get(url, "/api/customers").body().getJsonArray("items")).isNotEmpty();
  }

  @Test
  void sagaList_pagesNewestFirstWithCursor() {
    for (int i = 0; i < 3; i++) {
      placeAndWait(order("c-happy", "SKU-HAPPY", 1, "US"));
    }
    JsonObject firstPage = get(url, "/api/sagas?status=completed&limit=2").body();
    assertThat(firstPage.getJsonArray("items")).hasSize(2);
    String cursor = firstPage.getString("nextCursor");
    assertThat(cursor).isNotNull();
    JsonObject secondPage = get(url, "/api/sagas?status=completed&limit=2&cursor=" + cursor).body();
    assertThat(secondPage.getJsonArray("items")).isNotEmpty();
    long newestOnSecond = secondPage.getJsonArray("items").getJsonObject(0).getLong("createdAt");
    long oldestOnFirst = firstPage.getJsonArray("items").getJsonObject(1).getLong("createdAt");
    assertThat(newestOnSecond).isLessThanOrEqualTo(oldestOnFirst);
    assertThat(secondPage.getJsonArray("items").getJsonObject(0).getString("sagaId"))
        .isNotIn(firstPage.getJsonArray("items").getJsonObject(0).getString("sagaId"), firstPage.getJsonArray("items").getJsonObject(1).getString("sagaId"));
  }

  private JsonObject placeAndWait(JsonObject order) {
    SagaTestSupport.Response placed = post(url, "/api/orders", order, null);
    assertThat(placed.status()).isEqualTo(202);
    assertThat(placed.body().getString("orderId")).isNotNull();
    return awaitEnded(placed.body().getString("sagaId"));
  }

  private JsonObject awaitEnded(String sagaId) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> get(url, "/api/sagas/" + sagaId).body(),
            saga -> List.of("COMPLETED", "FAILED", "COMPENSATION_FAILED", "RESOLVED").contains(saga.getString("status")));
  }

  private long[] stock(String sku) {
    return SagaTestSupport.stock(url, sku);
  }

  private JsonObject account(String customerId) {
    return SagaTestSupport.account(url, customerId);
  }

  private static JsonObject step(JsonObject saga, String name) {
    return saga.getJsonArray("steps").stream().map(JsonObject.class::cast).filter(step -> name.equals(step.getString("name")))
        .findFirst().orElseThrow();
  }

  private static String stepStatus(JsonObject saga, String name) {
    return step(saga, name).getString("status");
  }
}
