package io.sagabus.platform.events;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;

/** Runs the contract against a real broker (the shared one at SAGABUS_TEST_KAFKA_BOOTSTRAP when set). */
class KafkaEventLogContractTest extends EventLogContract {

  @Override
  protected EventLog create(Vertx vertx, EventLogSettings settings) {
    return new KafkaEventLog(vertx, KafkaBroker.shared().bootstrap(), settings);
  }

  @AfterEach
  void deleteTestTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrap()))) {
      var mine = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(topic -> topic.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
    }
  }
}
