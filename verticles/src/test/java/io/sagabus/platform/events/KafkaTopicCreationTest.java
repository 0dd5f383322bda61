package io.sagabus.platform.events;

import static org.awaitility.Awaitility.await;

import io.sagabus.testing.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Topic creation on a real broker when several callers need the same new topic at the same moment. */
class KafkaTopicCreationTest {

  private Vertx vertx;
  private String prefix;
  private final List<KafkaEventLog> logs = new ArrayList<>();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "-";
  }

  @AfterEach
  void close() throws Exception {
    Future.join(logs.stream().map(KafkaEventLog::close).toList()).await(30, TimeUnit.SECONDS);
    logs.clear();
    vertx.close().await(30, TimeUnit.SECONDS);
    KafkaBroker.shared().deleteTopicsStartingWith(prefix);
  }

  @Test
  void twoNodesAndTwoCallersOnOneNode_creatingTheSameNewTopicsAtOnce_allSucceed() throws Exception {
    KafkaEventLog first = log();
    KafkaEventLog second = log();
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", KafkaBroker.shared().bootstrap()));
    for (int round = 0; round < 10; round++) {
      int r = round;
      Set<String> topics = IntStream.range(0, 6).mapToObj(i -> prefix + "race-" + r + "-" + i).collect(Collectors.toSet());

      List<Future<Void>> callers = List.of(first.ensureTopics(topics), second.ensureTopics(topics), second.ensureTopics(topics));

      Future.all(callers).await(60, TimeUnit.SECONDS);
      // The broker's topic list may lag a creation by a moment.
      await().atMost(Duration.ofSeconds(30)).until(() -> admin.listTopics().await(30, TimeUnit.SECONDS).containsAll(topics));
    }
  }

  private KafkaEventLog log() {
    KafkaEventLog log = new KafkaEventLog(vertx, KafkaBroker.shared().bootstrap(), EventLogSettings.withPrefix(prefix));
    logs.add(log);
    return log;
  }
}
