package io.sagabus.platform.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.events.EmbeddedEventLog;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.KafkaEventLog;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node logs domain events to Kafka when kafka.bootstrap is set, and to the embedded log otherwise. */
class EventLogChoiceTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void noKafkaConfigured_usesTheEmbeddedLog() throws Exception {
    Backends backends = Backends.connect(vertx, NodeConfig.from("test", new JsonObject()));
    assertThat(backends.events()).isInstanceOf(EmbeddedEventLog.class);
    backends.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void kafkaBootstrapConfigured_usesKafka() throws Exception {
    Backends backends = Backends.connect(vertx, NodeConfig.from("test", new JsonObject()
        .put("kafka", new JsonObject().put("bootstrap", "127.0.0.1:19092"))));
    assertThat(backends.events()).isInstanceOf(KafkaEventLog.class);
    backends.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void eventsSection_setsPrefixAndPartitions_andRejectsABadPrefix() {
    EventLogSettings settings = EventLogSettings.from(NodeConfig.from("test", new JsonObject()
        .put("events", new JsonObject().put("topicPrefix", "staging.").put("partitions", 12))));
    assertThat(settings.topic("order-created")).isEqualTo("staging.order-created");
    assertThat(settings.group("projections")).isEqualTo("staging.projections");
    assertThat(settings.partitions()).isEqualTo(12);
    assertThatThrownBy(() -> EventLogSettings.from(NodeConfig.from("test", new JsonObject()
        .put("events", new JsonObject().put("topicPrefix", "bad prefix")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("events.topicPrefix");
  }
}
