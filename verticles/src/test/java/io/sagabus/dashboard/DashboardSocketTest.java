package io.sagabus.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.sagabus.dashboard.contract.DashboardAddresses;
import io.sagabus.orderview.contract.OrderViewAddresses;
import io.sagabus.node.RunningNode;
import io.sagabus.testing.Http;
import io.sagabus.testing.TestCluster;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard socket is read-only: whatever a client sends, in whatever shape (SockJS event-bus bridge frames
 * included), reaches no service address, and the socket is closed with 1008. A cross-origin page cannot open it.
 * Two nodes: the participant address lives on the second, so a leak through the clustered bus would be seen too.
 */
class DashboardSocketTest {

  private static final String[] ATTEMPTS = {
      "{\"type\":\"send\",\"address\":\"payment.charge\",\"body\":{\"sagaId\":\"x\",\"step\":\"charge-payment\",\"attempt\":1},\"replyAddress\":\"r1\"}",
      "{\"type\":\"publish\",\"address\":\"payment.charge\",\"body\":{}}",
      "{\"type\":\"register\",\"address\":\"payment.charge\"}",
      "{\"type\":\"register\",\"address\":\"saga.events\"}",
      "[\"{\\\"type\\\":\\\"send\\\",\\\"address\\\":\\\"payment.charge\\\",\\\"body\\\":{}}\"]",
  };

  private static final int GATEWAY_INSTANCES = 3;
  private static TestCluster cluster;
  private static RunningNode dashboardNode;
  private static RunningNode serviceNode;
  private static WebSocketClient client;
  private static final AtomicInteger reachedPayment = new AtomicInteger();
  private static final AtomicInteger reachedSagaStart = new AtomicInteger();

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    JsonObject fast = new JsonObject().put("dashboard", new JsonObject().put("reportIntervalMs", 200).put("triagePollMs", 0));
    dashboardNode = cluster.startNode(fast.copy().put("roles", new JsonArray().add("dashboard").add("gateway"))
        .put("http", new JsonObject().put("instances", GATEWAY_INSTANCES)));
    serviceNode = cluster.startNode(fast.copy().put("roles", new JsonArray().add("dashboard")));
    // Stand-ins for the services a browser must never reach, registered cluster-wide on the other node.
    TestCluster.await(serviceNode.vertx().eventBus().consumer("payment.charge", message -> reachedPayment.incrementAndGet()).completion());
    TestCluster.await(serviceNode.vertx().eventBus().consumer("saga.start", message -> reachedSagaStart.incrementAndGet()).completion());
    client = dashboardNode.vertx().createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static WebSocketConnectOptions options(String origin) {
    URI uri = URI.create(dashboardNode.httpUrl());
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
        .setURI(DashboardAddresses.SOCKET_PATH);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return options;
  }

  private record Connection(WebSocket socket, Promise<String> firstFrame, Promise<Short> closed) {}

  private static Connection connect() {
    URI uri = URI.create(dashboardNode.httpUrl());
    Promise<String> firstFrame = Promise.promise();
    Promise<Short> closed = Promise.promise();
    WebSocket socket = TestCluster.await(client.connect(options("http://" + uri.getHost() + ":" + uri.getPort())));
    socket.textMessageHandler(firstFrame::tryComplete);
    socket.closeHandler(ignored -> closed.tryComplete(socket.closeStatusCode()));
    return new Connection(socket, firstFrame, closed);
  }

  @Test
  void sameOriginClient_receivesFrames_ofTheWholeCluster() throws Exception {
    Connection connection = connect();
    JsonObject frame = new JsonObject(connection.firstFrame().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertThat(frame.fieldNames()).contains("totals", "series", "sample", "triage", "circuits", "rateLimits", "chaos", "nodes");
    assertThat(frame.getJsonObject("node").getString("id")).isEqualTo(dashboardNode.nodeId());
    TestCluster.await(connection.socket().close());
  }

  @Test
  void socketsSpreadOverEveryGatewayInstance_allReceiveTheSameFrames() throws Exception {
    List<WebSocket> sockets = new ArrayList<>();
    List<Set<String>> received = new ArrayList<>();
    for (int i = 0; i < GATEWAY_INSTANCES; i++) {
      Set<String> frames = ConcurrentHashMap.newKeySet();
      WebSocket socket = connect().socket();
      socket.textMessageHandler(frames::add);
      sockets.add(socket);
      received.add(frames);
    }
    // Connections are spread over the instances sharing the port; each frame must reach every instance's sockets.
    Set<String> seenBefore = Set.copyOf(received.get(0));
    String frame = await().atMost(Duration.ofSeconds(10)).until(
        () -> received.get(0).stream().filter(each -> !seenBefore.contains(each)).findFirst().orElse(null), Objects::nonNull);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertThat(received).allSatisfy(frames -> assertThat(frames).contains(frame)));
    for (WebSocket socket : sockets) {
      TestCluster.await(socket.close());
    }
  }

  @Test
  void everyFrameAClientSends_closesItsSocket_andReachesNoServiceAddress() throws Exception {
    for (String attempt : ATTEMPTS) {
      Connection connection = connect();
      connection.firstFrame().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      connection.socket().writeTextMessage(attempt);
      Short code = connection.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(code).as("close code after sending %s", attempt).isEqualTo((short) 1008);
    }
    Connection binary = connect();
    binary.socket().writeBinaryMessage(Buffer.buffer(ATTEMPTS[0]));
    assertThat(binary.closed().future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);

    // Give any leaked message ample time to arrive before asserting that none did.
    Thread.sleep(Duration.ofSeconds(1).toMillis());
    assertThat(reachedPayment.get()).isZero();
    assertThat(reachedSagaStart.get()).isZero();
  }

  @Test
  void crossOriginPage_cannotOpenTheSocket() {
    Throwable refused = catchThrowable(() -> TestCluster.await(client.connect(options("http://evil.example"))));
    assertThat(refused).isNotNull().hasMessageContaining("403");
  }

  @Test
  void orderStreamStats_publishedByAnyNode_appearInTheFrames() throws Exception {
    JsonObject stats = new JsonObject().put("windowSeconds", 60).put("ordersPerMin", 42.0).put("revenuePerMin", 4200.0)
        .put("cancelRate", 0.25).put("created", 42).put("completed", 3).put("cancelled", 1);
    Promise<JsonObject> withStream = Promise.promise();
    var frames = dashboardNode.vertx().eventBus().<String>localConsumer(DashboardAddresses.FRAMES, message -> {
      JsonObject frame = new JsonObject(message.body());
      if (frame.containsKey("orderStream")) {
        withStream.tryComplete(frame.getJsonObject("orderStream"));
      }
    });
    TestCluster.await(frames.completion());

    long timer = serviceNode.vertx().setPeriodic(100, id -> serviceNode.vertx().eventBus().publish(OrderViewAddresses.STATS, stats));
    JsonObject shown = withStream.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    serviceNode.vertx().cancelTimer(timer);
    TestCluster.await(frames.unregister());

    assertThat(shown).isEqualTo(stats);
  }

  @Test
  void noEventBusBridgeIsMounted() {
    assertThat(Http.get(dashboardNode.httpUrl() + "/eventbus/info").statusCode()).isEqualTo(404);
    assertThat(Http.get(dashboardNode.httpUrl() + "/").statusCode()).isEqualTo(200);
    assertThat(Http.get(dashboardNode.httpUrl() + "/").headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("connect-src 'self'"));
  }
}
