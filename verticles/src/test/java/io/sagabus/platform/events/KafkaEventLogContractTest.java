package io.sagabus.platform.events;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;

/** Runs the contract against a real broker (the shared one at SAGABUS_TEST_KAFKA_BOOTSTRAP when set). */
class KafkaEventLogContractTest extends EventLogContract {

  @Override
  protected EventLog create(Vertx vertx, EventLogSettings settings) {
    return new KafkaEventLog(vertx, KafkaBroker.shared().bootstrap(), settings);
  }

  @AfterEach
  void deleteTestTopics() {
    KafkaBroker.shared().deleteTopicsStartingWith(prefix);
  }
}
