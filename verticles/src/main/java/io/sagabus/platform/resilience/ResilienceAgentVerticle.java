package io.sagabus.platform.resilience;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.resilience.contract.ResilienceAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on every node: publishes the node's circuits every second, and keeps the node's resilience settings in step
 * with the cluster (the runtime settings in the cluster map win over the profile's).
 */
public final class ResilienceAgentVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ResilienceAgentVerticle.class);
  private static final String SETTINGS_KEY = "settings";

  private final NodeContext node;
  private final long publishIntervalMs;
  private ResilientCaller caller;

  public ResilienceAgentVerticle(NodeContext node) {
    this.node = node;
    this.publishIntervalMs = node.config().section(ResilienceSettings.SECTION).longValue("publishIntervalMs", 1_000, 100, 60_000);
  }

  @Override
  public Future<?> start() {
    caller = ResilientCaller.forNode(vertx, node);
    vertx.setPeriodic(publishIntervalMs, ignored -> publish());
    return Future.all(
            vertx.eventBus().<JsonObject>consumer(ResilienceAddresses.CONFIG_CHANGED, message -> apply(message.body())).completion(),
            vertx.eventBus().<JsonObject>consumer(ResilienceAddresses.CONFIG_SET, this::set).completion(),
            vertx.eventBus().<JsonObject>consumer(ResilienceAddresses.CONFIG_GET, message -> message.reply(describe(caller.settings()))).completion())
        .compose(ignored -> map())
        .compose(map -> map.get(SETTINGS_KEY))
        .onSuccess(stored -> {
          if (stored != null) {
            apply(stored);
          }
        })
        .recover(failure -> {
          LOG.warn("could not read the cluster's resilience settings, using the profile's: {}", failure.toString());
          return Future.succeededFuture();
        });
  }

  private void publish() {
    vertx.eventBus().publish(ResilienceAddresses.CIRCUITS, new JsonObject()
        .put("nodeId", node.nodeId())
        .put("nodeName", node.config().nodeName())
        .put("at", System.currentTimeMillis())
        .put("circuits", caller.snapshot()));
  }

  private void set(Message<JsonObject> message) {
    JsonObject section = message.body() == null ? new JsonObject() : message.body();
    ResilienceSettings settings;
    try {
      settings = ResilienceSettings.fromSection(section);
    } catch (ConfigException e) {
      message.fail(FailureCodes.BAD_REQUEST, e.getMessage());
      return;
    }
    map().compose(map -> map.put(SETTINGS_KEY, settings.source()))
        .onSuccess(ignored -> {
          caller.update(settings);
          vertx.eventBus().publish(ResilienceAddresses.CONFIG_CHANGED, settings.source());
          LOG.info("resilience settings changed at runtime; every node applies them");
          message.reply(describe(settings));
        })
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, "could not store the settings: " + failure.getMessage()));
  }

  private void apply(JsonObject section) {
    try {
      caller.update(ResilienceSettings.fromSection(section));
    } catch (ConfigException e) {
      LOG.warn("ignoring invalid resilience settings from the cluster: {}", e.getMessage());
    }
  }

  private static JsonObject describe(ResilienceSettings settings) {
    return new JsonObject().put("source", settings.source()).put("effective", settings.effective());
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(ResilienceAddresses.CONFIG_MAP);
  }
}
