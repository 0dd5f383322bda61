package io.sagabus.notification;

import io.sagabus.notification.contract.NotificationAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.ids.Ids;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Sends order notifications. A stand-in for an email or SMS gateway: it counts what it would have sent. */
public final class NotificationVerticle extends VerticleBase {

  private final NodeContext node;
  private final ConfigReader config;
  private long sent;

  public NotificationVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section("notification");
  }

  @Override
  public Future<?> start() {
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    StepLedger ledger = new StepLedger(vertx, faults);
    var bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(NotificationAddresses.SEND, m -> ledger.invoke(m, "send", this::send)).completion(),
        bus.<JsonObject>consumer(NotificationAddresses.STATUS, ledger::status).completion(),
        bus.<JsonObject>consumer(NotificationAddresses.SENT, m -> m.reply(new JsonObject().put("sent", sent))).completion(),
        faults.listen(vertx, NotificationAddresses.FAULTS)))
        .compose(ignored -> vertx.deployVerticle(NotificationReactions.reactor(node.backends().events(), node.metrics())));
  }

  private Future<JsonObject> send(JsonObject command) {
    sent++;
    return Future.succeededFuture(new JsonObject().put("notificationId", "n-" + Ids.next()));
  }
}
