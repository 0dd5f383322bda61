package io.sagabus.platform.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log on Kafka. One idempotent producer ({@code acks=all}) per node sends each event with the order id as
 * record key and the envelope JSON as value, so a key's events keep their order in one partition. Topics are
 * {@code topicPrefix + type}, created on first use with {@link EventLogSettings#partitions()} partitions and
 * {@link EventLogSettings#replicationFactor()} replicas. A publish hands its whole list to the producer in one task
 * on a single sender thread, so records reach the producer in call order, and the producer's {@code send} (which
 * blocks while the broker's metadata is unknown) never runs on an event loop.
 *
 * <p>A subscription is one consumer of the group ({@code topicPrefix + group}) polling by itself, one poll at a time.
 * A per-event subscription hands each key's records to the handler one at a time, the keys side by side; a batch
 * subscription hands the whole poll over at once. After every poll it commits each partition up to its first event
 * not handled (all of the poll's partitions when a batch succeeded), rewinds the partitions that stopped short to
 * that event and pauses them for a back-off, so the other partitions keep flowing and the stopped ones resume in order.
 */
public final class KafkaEventLog implements EventLog {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventLog.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  /**
   * The most records a per-event subscription polls at once: it runs a handler for each of their keys side by side,
   * so this bounds the handlers in flight. A batch subscription polls up to {@link #MAX_BATCH}.
   */
  private static final int PER_EVENT_POLL_RECORDS = 2_000;
  /** How long subscribe waits for the first partition assignment before it answers anyway. */
  private static final long ASSIGNMENT_WAIT_MS = 15_000;

  private final Vertx vertx;
  private final String bootstrap;
  private final EventLogSettings settings;
  private final KafkaAdminClient admin;
  private final KafkaProducer<String, String> producer;
  private final WorkerExecutor sender;
  /** Topics that exist or are being created, so concurrent callers of one instance ask the broker once. */
  private final Map<String, Future<Void>> knownTopics = new ConcurrentHashMap<>();
  private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();

  public KafkaEventLog(Vertx vertx, String bootstrap, EventLogSettings settings) {
    this.vertx = vertx;
    this.bootstrap = bootstrap;
    this.settings = settings;
    this.admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrap, "client.id", "sagabus-events-admin"));
    Map<String, String> producerConfig = new HashMap<>();
    producerConfig.put("bootstrap.servers", bootstrap);
    producerConfig.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    producerConfig.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    producerConfig.put("enable.idempotence", "true");
    producerConfig.put("acks", "all");
    // Batches fill while the relay hands over a page of the outbox; 5 ms is invisible next to a saga step.
    producerConfig.put("linger.ms", "5");
    producerConfig.put("batch.size", String.valueOf(256 * 1024));
    producerConfig.put("client.id", "sagabus-events-producer");
    // One request in flight per broker: with more, a produce that reaches a partition just created before the broker
    // has applied it can be overtaken by the next one, and the idempotent producer then retries the first with an
    // out-of-order sequence until it expires (KAFKA-15591). Each request still carries every partition's batch.
    producerConfig.put("max.in.flight.requests.per.connection", "1");
    // A record the broker cannot take fails within 30 s instead of the default 2 min, so a caller (the relay) retries
    // soon after Kafka is back; a send waiting for unknown metadata holds the sender thread 10 s at most.
    producerConfig.put("request.timeout.ms", "10000");
    producerConfig.put("delivery.timeout.ms", "30000");
    producerConfig.put("max.block.ms", "10000");
    this.producer = KafkaProducer.create(vertx, producerConfig);
    this.sender = vertx.createSharedWorkerExecutor("sagabus-events-sender-" + settings.topicPrefix(), 1);
  }

  @Override
  public Future<Void> publish(List<DomainEvent> events) {
    return publishEncoded(events.stream().map(EncodedEvent::of).toList());
  }

  @Override
  public Future<Void> publishEncoded(List<EncodedEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> topics = events.stream().map(event -> settings.topic(event.type())).collect(Collectors.toSet());
    return ensureTopics(topics).compose(ignored -> {
      Context context = vertx.getOrCreateContext();
      Promise<Void> acknowledged = Promise.promise();
      AtomicInteger unacknowledged = new AtomicInteger(events.size());
      Producer<String, String> kafka = producer.unwrap();
      return sender.<Void>executeBlocking(() -> {
        for (EncodedEvent event : events) {
          kafka.send(new ProducerRecord<>(settings.topic(event.type()), event.key(), event.envelope()), (metadata, failure) -> {
            if (failure != null) {
              context.runOnContext(none -> acknowledged.tryFail(failure));
            } else if (unacknowledged.decrementAndGet() == 0) {
              context.runOnContext(none -> acknowledged.tryComplete());
            }
          });
        }
        return null;
      }).compose(sent -> acknowledged.future());
    });
  }

  @Override
  public Future<Subscription> subscribe(String group, Collection<String> topics, StartFrom startFrom,
      Function<DomainEvent, Future<Void>> handler) {
    return start(group, topics, startFrom, PER_EVENT_POLL_RECORDS, eachKeyInOrder(handler));
  }

  @Override
  public Future<Subscription> subscribeBatch(String group, Collection<String> topics, StartFrom startFrom,
      Function<List<DomainEvent>, Future<Void>> handler) {
    return start(group, topics, startFrom, MAX_BATCH, wholePoll(handler));
  }

  private Future<Subscription> start(String group, Collection<String> topics, StartFrom startFrom, int pollRecords,
      Delivery delivery) {
    Set<String> kafkaTopics = topics.stream().map(settings::topic).collect(Collectors.toSet());
    return ensureTopics(kafkaTopics).compose(ignored -> {
      KafkaSubscription subscription = new KafkaSubscription(settings.group(group), kafkaTopics, startFrom, pollRecords, delivery);
      subscriptions.add(subscription);
      return subscription.start();
    });
  }

  @Override
  public Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>();
    subscriptions.forEach(subscription -> closing.add(subscription.close()));
    closing.add(producer.close());
    closing.add(admin.close());
    closing.add(sender.close());
    return Future.join(closing).mapEmpty();
  }

  /**
   * Creates the topics that do not exist yet. "Already exists" is success: another node, or another caller on this
   * one, may create the same topic at the same moment. A failed creation is forgotten, so the next caller tries again.
   */
  Future<Void> ensureTopics(Set<String> topics) {
    List<Future<Void>> ensured = new ArrayList<>(topics.size());
    for (String topic : topics) {
      Future<Void> known = knownTopics.get(topic);
      if (known == null) {
        Promise<Void> creating = Promise.promise();
        known = knownTopics.putIfAbsent(topic, creating.future());
        if (known == null) {
          known = creating.future();
          createTopic(topic).onComplete(creating).onFailure(failure -> knownTopics.remove(topic, creating.future()));
        }
      }
      ensured.add(known);
    }
    return Future.all(ensured).mapEmpty();
  }

  private Future<Void> createTopic(String topic) {
    return admin.listTopics().compose(existing -> existing.contains(topic) ? Future.<Void>succeededFuture()
        : admin.createTopics(List.of(new NewTopic(topic, settings.partitions(), settings.replicationFactor())))
            .recover(failure -> alreadyExists(failure) ? Future.succeededFuture() : Future.failedFuture(failure)));
  }

  private static boolean alreadyExists(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TopicExistsException) {
        return true;
      }
    }
    return false;
  }

  /** A readable event of a poll and where it sits in the log. */
  private record Polled(TopicPartition partition, long offset, DomainEvent event) {}

  /**
   * How a subscription hands a poll's readable events to its handler. It answers, for each partition where handling
   * stopped, the offset of its first event not handled: the partition is committed up to there and rewound there.
   */
  private interface Delivery {
    Future<Map<TopicPartition, Long>> deliver(List<Polled> events, BooleanSupplier closed);
  }

  /**
   * Each key's events one at a time and in order, the keys side by side: order is promised per key, so a slow key
   * does not hold the rest of its partition. Events after a partition's first failure that were handled anyway come
   * again: consumers dedupe by eventId.
   */
  private static Delivery eachKeyInOrder(Function<DomainEvent, Future<Void>> handler) {
    return (events, closed) -> {
      Map<String, List<Polled>> byKey = new LinkedHashMap<>();
      events.forEach(polled -> byKey.computeIfAbsent(polled.event().key(), key -> new ArrayList<>()).add(polled));
      Map<TopicPartition, Long> firstUnhandled = new HashMap<>();
      return Future.join(byKey.values().stream().map(keyEvents -> inOrder(handler, keyEvents, 0, closed, firstUnhandled)).toList())
          .transform(ignored -> Future.succeededFuture(firstUnhandled));
    };
  }

  /** Handles one key's events in order; the first failure (or closing) stops the key and is remembered for its partition. */
  private static Future<Void> inOrder(Function<DomainEvent, Future<Void>> handler, List<Polled> events, int index,
      BooleanSupplier closed, Map<TopicPartition, Long> firstUnhandled) {
    if (index == events.size()) {
      return Future.succeededFuture();
    }
    Polled polled = events.get(index);
    if (closed.getAsBoolean()) {
      firstUnhandled.merge(polled.partition(), polled.offset(), Math::min);
      return Future.succeededFuture();
    }
    return Handlers.call(handler, polled.event()).transform(done -> {
      if (done.succeeded()) {
        return inOrder(handler, events, index + 1, closed, firstUnhandled);
      }
      LOG.debug("handler of {} failed at offset {}: {}", polled.partition(), polled.offset(), done.cause().toString());
      firstUnhandled.merge(polled.partition(), polled.offset(), Math::min);
      return Future.succeededFuture();
    });
  }

  /** The whole poll as one batch: when the handler fails, every partition of the poll goes back to its first event. */
  private static Delivery wholePoll(Function<List<DomainEvent>, Future<Void>> handler) {
    return (events, closed) -> {
      Map<TopicPartition, Long> firstOfEach = new HashMap<>();
      events.forEach(polled -> firstOfEach.merge(polled.partition(), polled.offset(), Math::min));
      if (events.isEmpty() || closed.getAsBoolean()) {
        return Future.succeededFuture(firstOfEach);
      }
      return Handlers.call(handler, events.stream().map(Polled::event).toList()).transform(done -> {
        if (done.failed()) {
          LOG.debug("batch handler failed on {} events of {}: {}", events.size(), firstOfEach.keySet(), done.cause().toString());
        }
        return Future.succeededFuture(done.succeeded() ? Map.of() : firstOfEach);
      });
    };
  }

  private final class KafkaSubscription implements Subscription {
    private final KafkaConsumer<String, String> consumer;
    private final Set<String> topics;
    private final Delivery delivery;
    private final Map<TopicPartition, Integer> failures = new HashMap<>();
    private final Promise<Subscription> assigned = Promise.promise();
    private Future<Void> round = Future.succeededFuture();
    private boolean closed;

    KafkaSubscription(String group, Set<String> topics, StartFrom startFrom, int pollRecords, Delivery delivery) {
      this.topics = topics;
      this.delivery = delivery;
      Map<String, String> config = new HashMap<>();
      config.put("bootstrap.servers", bootstrap);
      config.put("group.id", group);
      config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
      config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
      config.put("enable.auto.commit", "false");
      config.put("auto.offset.reset", startFrom == StartFrom.EARLIEST ? "earliest" : "latest");
      config.put("max.poll.records", String.valueOf(pollRecords));
      this.consumer = KafkaConsumer.create(vertx, config);
    }

    /**
     * Answers once the group has given this consumer its partitions and their positions are fixed, so with
     * {@code LATEST} every event published after the answer is delivered; after {@link #ASSIGNMENT_WAIT_MS} it
     * answers anyway and keeps trying in the background.
     */
    Future<Subscription> start() {
      consumer.partitionsAssignedHandler(partitions -> Future.join(partitions.stream().map(consumer::position).toList())
          .onComplete(ignored -> assigned.tryComplete(this)));
      consumer.partitionsRevokedHandler(partitions -> partitions.forEach(failures::remove));
      vertx.setTimer(ASSIGNMENT_WAIT_MS, id -> assigned.tryComplete(this));
      return consumer.subscribe(topics).compose(ignored -> {
        pollNext();
        return assigned.future();
      });
    }

    @Override
    public Future<Void> close() {
      closed = true;
      subscriptions.remove(this);
      return round.eventually(consumer::close);
    }

    private void pollNext() {
      if (closed) {
        return;
      }
      round = consumer.poll(POLL_TIMEOUT).compose(this::deliver);
      round.onComplete(done -> {
        if (done.failed() && !closed) {
          LOG.warn("event consumer of {} failed a poll; polling again in 1 s: {}", topics, done.cause().toString());
          vertx.setTimer(1_000, id -> pollNext());
        } else {
          pollNext();
        }
      });
    }

    /**
     * Hands the poll's events over, then commits each partition up to its first event not handled (the end of the
     * poll when all were) and rewinds it there. A subscription closing meanwhile commits only what was handled.
     */
    private Future<Void> deliver(KafkaConsumerRecords<String, String> records) {
      if (records.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Polled> events = new ArrayList<>(records.size());
      Map<TopicPartition, Long> pollEnd = new HashMap<>();
      records.records().forEach(record -> {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        pollEnd.merge(partition, record.offset() + 1, Math::max);
        DomainEvent event = Handlers.readOrSkip(record.value(), record.topic(), record.partition(), record.offset());
        if (event != null) {
          events.add(new Polled(partition, record.offset(), event));
        }
      });
      return delivery.deliver(events, () -> closed).compose(firstUnhandled -> {
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        List<Future<Void>> rewinds = new ArrayList<>();
        pollEnd.forEach((partition, end) -> {
          Long unhandled = firstUnhandled.get(partition);
          handled.put(partition, new OffsetAndMetadata(unhandled == null ? end : unhandled, null));
          if (unhandled == null) {
            failures.remove(partition);
          } else if (!closed) {
            rewinds.add(rewind(partition, unhandled));
          }
        });
        return Future.join(rewinds).compose(none -> consumer.commit(handled).<Void>mapEmpty().recover(failure -> {
          // A rebalance took the partitions: their next owner starts from the last commit and sees them again.
          LOG.info("event consumer of {} could not commit; those events will be delivered again: {}", topics, failure.toString());
          return Future.succeededFuture();
        }));
      });
    }

    /** Goes back to the first unhandled event and holds the partition for a growing back-off before it comes again. */
    private Future<Void> rewind(TopicPartition partition, long offset) {
      long backoff = RetryBackoff.delayMs(failures.merge(partition, 1, Integer::sum));
      LOG.debug("redelivering {} from offset {} in {} ms", partition, offset, backoff);
      return consumer.seek(partition, offset)
          .compose(ignored -> consumer.pause(partition))
          .onSuccess(ignored -> vertx.setTimer(backoff, id -> consumer.resume(partition)))
          .recover(failure -> Future.succeededFuture());
    }
  }
}
