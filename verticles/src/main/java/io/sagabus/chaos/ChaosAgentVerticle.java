package io.sagabus.chaos;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagabus.chaos.contract.ChaosAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.eventbus.FailureCodes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection, on every node: an inbound event-bus interceptor applies the faults set for a service to each
 * message addressed to {@code <service>.*} that this node delivers. The faults live in a cluster map and every change
 * is published, so all nodes, including those that start later, inject the same faults.
 */
public final class ChaosAgentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ChaosAgentVerticle.class);

  /** Stamped on outgoing messages of a partitioned service so the receiver knows where they come from. */
  static final String FROM_NODE_HEADER = "sagabus-chaos-from";

  private final NodeContext node;
  private final MeterRegistry metrics;
  private final Map<String, Counter> injected = new ConcurrentHashMap<>();
  private volatile Map<String, ChaosFault> faults = Map.of();
  private Handler<DeliveryContext<Object>> inbound;
  private Handler<DeliveryContext<Object>> outbound;

  public ChaosAgentVerticle(NodeContext node) {
    this.node = node;
    this.metrics = node.metrics();
  }

  @Override
  public Future<?> start() {
    registerGauge("failure", fault -> fault.failureRate() > 0);
    registerGauge("latency", fault -> fault.latencyMaxMs() > 0);
    registerGauge("no_reply", fault -> fault.noReplyRate() > 0);
    registerGauge("partition", ChaosFault::partitions);
    inbound = this::intercept;
    outbound = this::stampSender;
    vertx.eventBus().addInboundInterceptor(inbound);
    vertx.eventBus().addOutboundInterceptor(outbound);
    return Future.all(
            vertx.eventBus().<JsonObject>consumer(ChaosAddresses.CHANGED, message -> apply(message.body())).completion(),
            vertx.eventBus().<JsonObject>consumer(ChaosAddresses.SET, this::set).completion(),
            vertx.eventBus().<JsonObject>consumer(ChaosAddresses.CLEAR, this::clear).completion(),
            vertx.eventBus().<JsonObject>consumer(ChaosAddresses.SHOW, this::show).completion())
        .compose(ignored -> stored())
        .onSuccess(this::apply)
        .recover(failure -> {
          LOG.warn("could not read the cluster's faults; this node injects none until the next change: {}", failure.toString());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().removeInboundInterceptor(inbound);
    vertx.eventBus().removeOutboundInterceptor(outbound);
    return Future.succeededFuture();
  }

  private void intercept(DeliveryContext<Object> delivery) {
    Map<String, ChaosFault> current = faults;
    if (current.isEmpty()) {
      delivery.next();
      return;
    }
    Message<Object> message = delivery.message();
    ChaosFault fault = faultFor(current, message.address());
    if (fault == null) {
      delivery.next();
      return;
    }
    if (fault.partitions() && crossesPartition(fault, message.headers().get(FROM_NODE_HEADER))) {
      count(fault, "partition");
      return;
    }
    boolean request = message.replyAddress() != null;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (request && fault.noReplyRate() > 0 && random.nextDouble() < fault.noReplyRate()) {
      count(fault, "no_reply");
      return;
    }
    boolean fail = request && fault.failureRate() > 0 && random.nextDouble() < fault.failureRate();
    Runnable proceed = fail
        ? () -> {
          count(fault, "failure");
          message.fail(fault.failureCode(), "chaos: injected failure in " + fault.service());
        }
        : delivery::next;
    long latency = fault.latencyMinMs() == fault.latencyMaxMs()
        ? fault.latencyMaxMs()
        : random.nextLong(fault.latencyMinMs(), fault.latencyMaxMs() + 1);
    if (latency > 0) {
      count(fault, "latency");
      vertx.setTimer(latency, ignored -> proceed.run());
    } else {
      proceed.run();
    }
  }

  private void stampSender(DeliveryContext<Object> delivery) {
    Map<String, ChaosFault> current = faults;
    if (!current.isEmpty()) {
      ChaosFault fault = faultFor(current, delivery.message().address());
      if (fault != null && fault.partitions()) {
        delivery.message().headers().set(FROM_NODE_HEADER, node.nodeId() + " " + node.config().nodeName());
      }
    }
    delivery.next();
  }

  /** A message crosses when exactly one of its sender and this node is the isolated one. Unstamped senders are outside. */
  private boolean crossesPartition(ChaosFault fault, String sender) {
    boolean fromIsolated = false;
    if (sender != null) {
      for (String identity : sender.split(" ")) {
        fromIsolated |= identity.equals(fault.partitionNode());
      }
    }
    boolean hereIsolated = fault.partitionNode().equals(node.nodeId()) || fault.partitionNode().equals(node.config().nodeName());
    return fromIsolated != hereIsolated;
  }

  private static ChaosFault faultFor(Map<String, ChaosFault> current, String address) {
    int dot = address.indexOf('.');
    return dot > 0 ? current.get(address.substring(0, dot)) : null;
  }

  private void count(ChaosFault fault, String kind) {
    injected.computeIfAbsent(fault.service() + "/" + kind, key -> Counter.builder("sagabus_chaos_injected")
        .description("Faults injected into messages, by service and kind")
        .tag("service", fault.service()).tag("kind", kind)
        .register(metrics)).increment();
  }

  private void registerGauge(String kind, Predicate<ChaosFault> active) {
    Gauge.builder("sagabus_chaos_faults_active", this, agent -> agent.faults.values().stream().filter(active).count())
        .description("Services with a fault of this kind in force")
        .tag("kind", kind)
        .register(metrics);
  }

  private void set(Message<JsonObject> message) {
    ChaosFault fault;
    try {
      fault = ChaosFault.parse(message.body() == null ? new JsonObject() : message.body());
    } catch (ConfigException e) {
      message.fail(FailureCodes.BAD_REQUEST, e.getMessage());
      return;
    }
    map().compose(map -> map.put(fault.service(), fault.toJson()))
        .compose(ignored -> stored())
        .onSuccess(all -> {
          LOG.warn("chaos: faults set for {}: {}", fault.service(), fault.toJson().encode());
          publishAndReply(message, all);
        })
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, "could not store the fault: " + failure.getMessage()));
  }

  private void clear(Message<JsonObject> message) {
    String service = message.body() == null ? null : message.body().getString("service");
    Future<Void> cleared = service == null
        ? map().compose(AsyncMap::clear)
        : map().compose(map -> map.remove(service)).mapEmpty();
    cleared.compose(ignored -> stored())
        .onSuccess(all -> {
          LOG.info("chaos: faults cleared for {}", service == null ? "every service" : service);
          publishAndReply(message, all);
        })
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, "could not clear the faults: " + failure.getMessage()));
  }

  private void show(Message<JsonObject> message) {
    stored().onSuccess(message::reply).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  private void publishAndReply(Message<JsonObject> message, JsonObject all) {
    apply(all);
    vertx.eventBus().publish(ChaosAddresses.CHANGED, all);
    message.reply(all);
  }

  private void apply(JsonObject all) {
    Map<String, ChaosFault> parsed = new TreeMap<>();
    JsonArray list = all == null ? new JsonArray() : all.getJsonArray("faults", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      try {
        ChaosFault fault = ChaosFault.parse(list.getJsonObject(i));
        parsed.put(fault.service(), fault);
      } catch (ConfigException | ClassCastException e) {
        LOG.warn("ignoring an invalid fault from the cluster: {}", e.getMessage());
      }
    }
    faults = Map.copyOf(parsed);
  }

  private Future<JsonObject> stored() {
    return map().compose(AsyncMap::entries).map(entries -> {
      JsonArray list = new JsonArray();
      new TreeMap<>(entries).values().forEach(list::add);
      return new JsonObject().put("faults", list);
    });
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(ChaosAddresses.MAP);
  }
}
