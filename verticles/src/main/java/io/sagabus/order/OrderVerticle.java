package io.sagabus.order;

import io.sagabus.order.contract.OrderAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.choreography.FlowEvents;
import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Owns orders: created pending by a saga, then completed or cancelled by it. Config section {@code order}:
 * {@code store} (auto|memory|postgres), {@code tablePrefix}, {@code faults}.
 */
public final class OrderVerticle extends VerticleBase {

  private final NodeContext node;
  private final ConfigReader config;
  private OrderBook book;

  public OrderVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section("order");
  }

  @Override
  public Future<?> start() {
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    String prefix = config.string("tablePrefix", "sagabus_");
    book = StoreChoice.postgres(config, node.backends())
        ? new PostgresOrders(vertx, node.backends().postgres().orElseThrow(), prefix, faults, node.backends().outboxes().postgres(prefix))
        : new MemoryOrders(vertx, faults, node.backends().outboxes().memory());
    var bus = vertx.eventBus();
    return book.start().compose(ignored -> Future.all(List.of(
        bus.<JsonObject>consumer(OrderAddresses.CREATE, book::create).completion(),
        bus.<JsonObject>consumer(OrderAddresses.COMPLETE, book::complete).completion(),
        bus.<JsonObject>consumer(OrderAddresses.CANCEL, book::cancel).completion(),
        bus.<JsonObject>consumer(OrderAddresses.STATUS, book::status).completion(),
        bus.<JsonObject>consumer(OrderAddresses.GET, this::get).completion(),
        bus.<JsonObject>consumer(OrderAddresses.PLACE, this::place).completion(),
        faults.listen(vertx, OrderAddresses.FAULTS))))
        .compose(ignored -> vertx.deployVerticle(OrderReactions.reactor(node.backends().events(), node.metrics())));
  }

  /** Starts a choreographed flow: the placement is the {@code order-placed} event; the order's reactor creates it. */
  private void place(Message<JsonObject> message) {
    JsonObject placement = message.body() == null ? new JsonObject() : message.body().copy();
    String flowId = placement.getString("sagaId");
    if (flowId == null || flowId.isBlank()) {
      message.fail(FailureCodes.BAD_REQUEST, "sagaId is required");
      return;
    }
    placement.remove("sagaId");
    String traceparent = (String) placement.remove("traceparent");
    try {
      // The check the create step makes, so a bad placement is refused here rather than stopping the flow later.
      Orders.newOrder(placement);
    } catch (StepRejected invalid) {
      message.fail(invalid.code(), invalid.getMessage());
      return;
    }
    String orderId = placement.getString("orderId");
    node.backends().events().publish(List.of(FlowEvents.event(flowId, EventTopics.ORDER_PLACED, orderId, traceparent, placement)))
        .onSuccess(published -> message.reply(new JsonObject().put("sagaId", flowId).put("orderId", orderId)
            .put("mode", FlowEvents.CHOREOGRAPHY).put("status", "PENDING")))
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, "the order could not be placed: " + failure.getMessage()));
  }

  private void get(Message<JsonObject> message) {
    String orderId = message.body() == null ? null : message.body().getString("orderId");
    if (orderId == null) {
      message.fail(FailureCodes.BAD_REQUEST, "orderId is required");
      return;
    }
    book.get(orderId).onSuccess(order -> {
      if (order == null) {
        message.fail(FailureCodes.NOT_FOUND, "unknown order '" + orderId + "'");
      } else {
        message.reply(order);
      }
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }
}
