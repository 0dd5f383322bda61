package io.sagabus.orderview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.node.RunningNode;
import io.sagabus.testing.Http;
import io.sagabus.testing.OrderLoad;
import io.sagabus.testing.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Orders placed through the real HTTP API on one node running every role reach the order views and the order history
 * through the participants' outbox, the relay and the event log. Subclasses choose the backends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrderViewEndToEndScenarios {

  protected final String run = "e" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String rich = "c-rich-" + run;
  private final String poor = "c-poor-" + run;
  private TestCluster cluster;
  private RunningNode node;
  private String url;

  /** Backends and table prefixes, merged over the common settings. */
  abstract JsonObject backendConfig();

  void cleanUp() {}

  @BeforeAll
  void startNode() {
    cluster = new TestCluster();
    node = cluster.startNode(new JsonObject()
        .put("inventory", new JsonObject().put("seed", new JsonObject().put("SKU-VIEW", new JsonObject().put("stock", 1_000).put("price", 100))))
        .put("payment", new JsonObject().put("customers", new JsonObject().put(rich, 1_000_000).put(poor, 50)))
        .put("relay", new JsonObject().put("pollMs", 20))
        .put("events", new JsonObject().put("topicPrefix", run + "-"))
        .mergeIn(backendConfig(), true));
    url = node.httpUrl();
  }

  @AfterAll
  void stopNode() {
    TestCluster.await(node.close());
    cluster.close();
    cleanUp();
  }

  private JsonObject place(JsonObject order) {
    Http.Response response = Http.call("POST", url + "/api/orders?wait=10000", null, order.encode());
    assertThat(response.status()).as(response.text()).isEqualTo(200);
    return response.json();
  }

  private JsonArray views(String customerId) {
    Http.Response response = Http.call("GET", url + "/api/order-views?customerId=" + customerId + "&limit=100", null, null);
    assertThat(response.status()).as(response.text()).isEqualTo(200);
    return response.json().getJsonArray("items");
  }

  @Test
  void ordersPlacedThroughTheApi_appearInTheOrderViews_withTheirStatusAndTotals() {
    List<String> completed = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      JsonObject saga = place(OrderLoad.order(rich, "SKU-VIEW", i));
      assertThat(saga.getString("status")).isEqualTo("COMPLETED");
      completed.add(saga.getString("orderId"));
    }
    JsonObject declined = place(OrderLoad.order(poor, "SKU-VIEW", 2));
    assertThat(declined.getString("status")).isEqualTo("FAILED");

    await().atMost(Duration.ofSeconds(60)).until(() -> views(rich).stream()
        .filter(view -> "COMPLETED".equals(((JsonObject) view).getString("status"))).count() == 3);
    await().atMost(Duration.ofSeconds(60)).until(() -> views(poor).stream()
        .anyMatch(view -> "CANCELLED".equals(((JsonObject) view).getString("status"))));

    JsonArray richViews = views(rich);
    assertThat(richViews).hasSize(3);
    for (Object item : richViews) {
      JsonObject view = (JsonObject) item;
      int index = completed.indexOf(view.getString("orderId"));
      assertThat(index).as("a view of an order placed here").isNotNegative();
      long qty = index + 1;
      assertThat(view.getJsonObject("totals").getLong("amount")).isEqualTo(qty * 100);
      assertThat(view.getJsonObject("totals").getLong("itemCount")).isEqualTo(qty);
      assertThat(view.getString("sagaOutcome")).isEqualTo("COMPLETED");
      assertThat(view.getJsonArray("items").getJsonObject(0).getLong("price")).isEqualTo(100L);
    }
    JsonObject cancelled = views(poor).getJsonObject(0);
    assertThat(cancelled.getString("orderId")).isEqualTo(declined.getString("orderId"));
    assertThat(cancelled.getString("sagaOutcome")).isEqualTo("COMPENSATED");
    assertThat(cancelled.getString("inventory")).isEqualTo("RELEASED");
  }

  @Test
  void anOrdersHistory_isRebuiltFromItsEvents_toTheStateTheViewShows() {
    String orderId = place(OrderLoad.order(rich, "SKU-VIEW", 4)).getString("orderId");

    await().atMost(Duration.ofSeconds(60)).until(() -> {
      Http.Response response = Http.call("GET", url + "/api/orders/" + orderId + "/history", null, null);
      return response.status() == 200 && "COMPLETED".equals(response.json().getJsonObject("state").getString("status"))
          && response.json().getJsonObject("state").getString("shipment") != null;
    });
    JsonObject history = Http.call("GET", url + "/api/orders/" + orderId + "/history", null, null).json();

    assertThat(history.getJsonArray("steps").size()).isGreaterThanOrEqualTo(6);
    assertThat(history.getJsonObject("state").getJsonObject("totals").getLong("amount")).isEqualTo(400L);
  }
}
