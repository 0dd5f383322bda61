package io.sagabus.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.testing.FreePorts;
import io.sagabus.testing.Http;
import io.sagabus.testing.NodeProcess;
import io.sagabus.testing.OrderLoad;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flaky participant under load: the resilience stack and the saga engine must still settle every order. */
class PaymentFailuresIT {

  private static final int ORDERS = 1_000;
  private static final String SECRET = "payment-failures-key-0123456789-abcdefghijklmnopq";

  @Test
  void thirtyPercentOfPaymentCallsFail_everySagaEnds_andTheBooksBalance(@TempDir Path dir) throws Exception {
    int port = FreePorts.next();
    try (NodeProcess node = NodeProcess.start(port, Map.of("SAGABUS_HTTP_PORT", String.valueOf(port), "SAGABUS_JWT_SECRET", SECRET))) {
      await().atMost(Duration.ofSeconds(90)).until(node::healthy);
      Path baseline = dir.resolve("books.json");
      assertThat(OrderLoad.audit("save", node.url(), "--out", baseline.toString()).exitCode()).isZero();
      Http.Response faulty = Http.call("POST", node.url() + "/api/admin/chaos", OrderLoad.adminToken(SECRET),
          new JsonObject().put("service", "payment").put("failureRate", 0.3).encode());
      assertThat(faulty.status()).as(faulty.text()).isEqualTo(200);

      String[] customers = {"c-alice", "c-bob", "c-carol"};
      String[] skus = {"SKU-APPLE", "SKU-BANANA", "SKU-CHERRY"};
      Path sagaIds = dir.resolve("sagas.txt");
      Files.write(sagaIds, OrderLoad.place(node.url(), ORDERS, 16, i -> OrderLoad.order(customers[i % 3], skus[(i / 3) % 3], 1)));

      NodeProcess.Result books = OrderLoad.audit("check", node.url(), "--baseline", baseline.toString(),
          "--expect-sagas", sagaIds.toString(), "--quiesce-seconds", "120");
      System.out.println(books.stdout());
      assertThat(books.exitCode()).as(books.stdout() + books.stderr()).isZero();
      assertThat(books.stdout()).contains("BOOKS BALANCE: " + ORDERS + " sagas");
      String metrics = node.get("/metrics").body();
      assertThat(metrics).contains("chaos");
    }
  }
}
