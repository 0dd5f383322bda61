package io.sagabus.platform.backend;

import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.config.Redaction;
import io.sagabus.platform.events.EmbeddedEventLog;
import io.sagabus.platform.events.EventLog;
import io.sagabus.platform.events.EventLogSettings;
import io.sagabus.platform.events.KafkaEventLog;
import io.sagabus.platform.outbox.Outbox;
import io.sagabus.platform.outbox.Outboxes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's connections to its real backends, when configured. A backend that is not configured is replaced by
 * its embedded stand-in, which the owning service chooses; this class only reports which is in use.
 */
public final class Backends {

  static final long CHECK_TIMEOUT_MS = 2_000;
  private static final long PROBE_TIMEOUT_MS = CHECK_TIMEOUT_MS * 3 / 4;

  private final Optional<Pool> postgres;
  private final Optional<Redis> redis;
  private final Optional<KafkaAdminClient> kafkaAdmin;
  private final EventLog events;
  private final Outboxes outboxes;
  private final NodeConfig config;

  private Backends(NodeConfig config, Optional<Pool> postgres, Optional<Redis> redis, Optional<KafkaAdminClient> kafkaAdmin,
      EventLog events, Outboxes outboxes) {
    this.config = config;
    this.postgres = postgres;
    this.redis = redis;
    this.kafkaAdmin = kafkaAdmin;
    this.events = events;
    this.outboxes = outboxes;
  }

  /**
   * How every sagabus connection to PostgreSQL is opened. Statements are prepared once per connection and kept, which
   * spares the server parsing each of them again; {@code keepPrepared} false is for poolers that cannot carry a named
   * statement from one transaction to the next. Each execution is still planned for its own parameters: a generic plan
   * (PostgreSQL's choice after five runs) is made while the tables are still empty, and without a fresh ANALYZE it
   * keeps scanning whole ledger tables long after they have grown.
   */
  public static PgConnectOptions pgOptions(String url, boolean keepPrepared) {
    return PgConnectOptions.fromUri(url).setCachePreparedStatements(keepPrepared).addProperty("plan_cache_mode", "force_custom_plan");
  }

  public static PgConnectOptions pgOptions(String url) {
    return pgOptions(url, true);
  }

  public static Backends connect(Vertx vertx, NodeConfig config) {
    boolean keepPrepared = config.postgresPreparedStatements();
    Optional<Pool> postgres = config.postgresUrl().map(url -> PgBuilder.pool()
        .connectingTo(pgOptions(url, keepPrepared))
        .with(new PoolOptions().setMaxSize(config.postgresPoolSize()).setName("sagabus-pg"))
        .using(vertx)
        .build());
    Optional<Redis> redis = config.redisUrl().map(url -> Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(1024)));
    Optional<KafkaAdminClient> kafka = config.kafkaBootstrap().map(bootstrap -> KafkaAdminClient.create(vertx, Map.of(
        "bootstrap.servers", bootstrap,
        "request.timeout.ms", String.valueOf(CHECK_TIMEOUT_MS),
        "default.api.timeout.ms", String.valueOf(CHECK_TIMEOUT_MS),
        "client.id", "sagabus-health-" + config.nodeName())));
    EventLogSettings eventSettings = EventLogSettings.from(config);
    EventLog events = config.kafkaBootstrap().<EventLog>map(bootstrap -> new KafkaEventLog(vertx, bootstrap, eventSettings))
        .orElseGet(() -> new EmbeddedEventLog(vertx, eventSettings));
    Outboxes outboxes = new Outboxes(vertx, postgres, config.postgresUrl().map(url -> pgOptions(url, keepPrepared)),
        config.section("events").integer("outboxPartitions", Outboxes.DEFAULT_PARTITIONS, 1, 256));
    return new Backends(config, postgres, redis, kafka, events, outboxes);
  }

  public Optional<Pool> postgres() {
    return postgres;
  }

  public Optional<Redis> redis() {
    return redis;
  }

  /** The node's domain-event log: Kafka when {@code kafka.bootstrap} is configured, else the embedded log. */
  public EventLog events() {
    return events;
  }

  /** Where participants write their domain events, in the transaction of their state change, for the relay. */
  public Outboxes outboxes() {
    return outboxes;
  }

  public Optional<String> kafkaBootstrap() {
    return config.kafkaBootstrap();
  }

  /** Which backend serves each concern, safe to log: passwords are redacted. */
  public Map<String, String> describe() {
    Map<String, String> inUse = new LinkedHashMap<>();
    inUse.put("store", config.postgresUrl().map(url -> "postgres " + Redaction.url(url)).orElse("embedded"));
    inUse.put("events", config.kafkaBootstrap().map(bootstrap -> "kafka " + bootstrap).orElse("embedded"));
    inUse.put("ratelimit", config.redisUrl().map(url -> "redis " + Redaction.url(url)).orElse("local"));
    return inUse;
  }

  /**
   * One readiness check per backend: a round trip for a real one, always up for an embedded stand-in. A check that
   * answers after its timeout has already been reported down, so only the first answer counts.
   */
  public void registerReadinessChecks(HealthChecks checks) {
    // A probe gives up before the check's own timeout, so a backend that does not answer (a stopped broker keeps the
    // Kafka admin client retrying) is reported DOWN with its cause (503), not as a failed procedure (500).
    checks.register("readiness/postgres", CHECK_TIMEOUT_MS, promise -> postgres
        .map(pool -> pool.query("SELECT 1").execute().<Status>map(rows -> Status.OK(detail("postgres"))))
        .orElseGet(() -> Future.succeededFuture(Status.OK(embedded("store"))))
        .timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.succeededFuture(Status.KO(detail("postgres").put("error", failure.getMessage()))))
        .onSuccess(promise::tryComplete));
    checks.register("readiness/redis", CHECK_TIMEOUT_MS, promise -> redis
        .map(client -> client.send(Request.cmd(Command.PING)).<Status>map(reply -> Status.OK(detail("redis"))))
        .orElseGet(() -> Future.succeededFuture(Status.OK(embedded("ratelimit"))))
        .timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.succeededFuture(Status.KO(detail("redis").put("error", failure.getMessage()))))
        .onSuccess(promise::tryComplete));
    checks.register("readiness/kafka", CHECK_TIMEOUT_MS, promise -> kafkaAdmin
        .map(admin -> admin.describeCluster().<Status>map(cluster -> Status.OK(detail("kafka").put("brokers", cluster.getNodes().size()))))
        .orElseGet(() -> Future.succeededFuture(Status.OK(embedded("events"))))
        .timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.succeededFuture(Status.KO(detail("kafka").put("error", failure.getMessage()))))
        .onSuccess(promise::tryComplete));
    // A backlog is no reason to take the node out of service: the outbox exists to keep taking orders while the
    // event log is away. The detail shows how far behind the relay is.
    checks.register("readiness/outbox", CHECK_TIMEOUT_MS, promise -> {
      List<Outbox> opened = outboxes.opened();
      List<Future<Outbox.Backlog>> backlogs = opened.stream().map(Outbox::backlog).toList();
      Future.all(backlogs).<Status>map(all -> {
        JsonObject detail = new JsonObject();
        long total = 0;
        for (int i = 0; i < opened.size(); i++) {
          Outbox.Backlog backlog = backlogs.get(i).result();
          total += backlog.pending();
          detail.put(opened.get(i).name(), new JsonObject().put("backlog", backlog.pending()).put("oldestAgeMs", backlog.oldestAgeMs()));
        }
        return Status.OK(detail.put("backlog", total));
      }).recover(failure -> Future.succeededFuture(Status.KO(new JsonObject().put("error", failure.getMessage()))))
          .onSuccess(promise::tryComplete);
    });
  }

  public Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>();
    postgres.ifPresent(pool -> closing.add(pool.close()));
    redis.ifPresent(client -> closing.add(client.close()));
    kafkaAdmin.ifPresent(admin -> closing.add(admin.close()));
    closing.add(events.close());
    return Future.join(closing).mapEmpty();
  }

  private JsonObject detail(String backend) {
    return new JsonObject().put("backend", backend);
  }

  private JsonObject embedded(String concern) {
    return new JsonObject().put("backend", "embedded").put("concern", concern);
  }
}
