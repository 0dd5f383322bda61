package io.sagabus.payment;

import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.platform.NodeContext;
import io.sagabus.platform.backend.StoreChoice;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.participant.Faults;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Owns customer accounts: a balance, and the charges and refunds made against it. A charge beyond the balance is
 * declined. Config section {@code payment}: {@code customers} ({@code {id: balance}} or {@code {id: {name, balance}}}),
 * {@code store} (auto|memory|postgres), {@code tablePrefix}, {@code faults}.
 */
public final class PaymentVerticle extends VerticleBase {

  private final NodeContext node;
  private final ConfigReader config;
  private PaymentBook book;

  public PaymentVerticle(NodeContext node) {
    this.node = node;
    this.config = node.config().section("payment");
  }

  @Override
  public Future<?> start() {
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    String prefix = config.string("tablePrefix", "sagabus_");
    book = StoreChoice.postgres(config, node.backends())
        ? new PostgresPayments(vertx, node.backends().postgres().orElseThrow(), prefix, faults, node.backends().outboxes().postgres(prefix))
        : new MemoryPayments(vertx, faults, node.backends().outboxes().memory());
    var bus = vertx.eventBus();
    return book.start(readCustomers(config)).compose(ignored -> Future.all(List.of(
        bus.<JsonObject>consumer(PaymentAddresses.CHARGE, book::charge).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.REFUND, book::refund).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.STATUS, book::status).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.CUSTOMERS, this::customers).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.ACCOUNT, this::account).completion(),
        faults.listen(vertx, PaymentAddresses.FAULTS))));
  }

  private void customers(Message<JsonObject> message) {
    book.customers().onSuccess(items -> message.reply(new JsonObject().put("items", items)))
        .onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  private void account(Message<JsonObject> message) {
    String customerId = message.body() == null ? null : message.body().getString("customerId");
    if (customerId == null) {
      message.fail(FailureCodes.BAD_REQUEST, "customerId is required");
      return;
    }
    book.account(customerId).onSuccess(account -> {
      if (account == null) {
        message.fail(FailureCodes.NOT_FOUND, "unknown customer '" + customerId + "'");
      } else {
        message.reply(account);
      }
    }).onFailure(failure -> message.fail(FailureCodes.UNAVAILABLE, failure.getMessage()));
  }

  private static List<PaymentBook.SeedCustomer> readCustomers(ConfigReader config) {
    if (!config.has("customers")) {
      return List.of(new PaymentBook.SeedCustomer("c-alice", "Alice", 1_000_000), new PaymentBook.SeedCustomer("c-bob", "Bob", 50_000),
          new PaymentBook.SeedCustomer("c-carol", "Carol", 500));
    }
    ConfigReader customers = config.section("customers");
    return customers.raw().fieldNames().stream().map(id -> {
      Object value = customers.raw().getValue(id);
      if (value instanceof JsonObject) {
        ConfigReader customer = customers.section(id);
        return new PaymentBook.SeedCustomer(id, customer.string("name", id), customer.longValue("balance", 0, 0, Long.MAX_VALUE));
      }
      if (value instanceof Number) {
        return new PaymentBook.SeedCustomer(id, id, customers.longValue(id, 0, 0, Long.MAX_VALUE));
      }
      throw new ConfigException(customers.key(id), "must be a balance or {name, balance}");
    }).toList();
  }
}
