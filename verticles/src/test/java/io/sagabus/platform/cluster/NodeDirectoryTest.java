package io.sagabus.platform.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node directory's announcements, on one Vert.x instance (its async map is then local). */
class NodeDirectoryTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void nodeForgottenByEverySurvivor_isAnnouncedOnce() throws Exception {
    List<String> announced = new CopyOnWriteArrayList<>();
    vertx.eventBus().<String>consumer(NodeDirectory.CHANGED, message -> announced.add(message.body())).completion()
        .await(30, TimeUnit.SECONDS);
    NodeDirectory leaving = new NodeDirectory(vertx, ClusterView.standalone("node-gone"), "gone", List.of("saga"), "http://127.0.0.1:1");
    leaving.register().await(30, TimeUnit.SECONDS);
    NodeDirectory survivorA = new NodeDirectory(vertx, ClusterView.standalone("node-a"), "a", List.of("saga"), "http://127.0.0.1:2");
    NodeDirectory survivorB = new NodeDirectory(vertx, ClusterView.standalone("node-b"), "b", List.of("saga"), "http://127.0.0.1:3");

    survivorA.forget("node-gone").await(30, TimeUnit.SECONDS);
    survivorB.forget("node-gone").await(30, TimeUnit.SECONDS);
    // A publish sent after the forgets is delivered after their announcements, so seeing it means none is still coming.
    vertx.eventBus().publish(NodeDirectory.CHANGED, "marker");
    await().until(() -> announced.contains("marker"));

    assertThat(announced).as("one announcement for the register and one for the departure")
        .containsExactly("node-gone", "node-gone", "marker");
  }
}
