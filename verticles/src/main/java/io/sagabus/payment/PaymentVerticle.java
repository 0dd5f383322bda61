package io.sagabus.payment;

import io.sagabus.payment.contract.PaymentAddresses;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.eventbus.FailureCodes;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Owns customer accounts: a balance, and the charges and refunds made against it. A charge beyond the balance is declined. */
public final class PaymentVerticle extends VerticleBase {

  private final ConfigReader config;
  private final Map<String, Account> accounts = new TreeMap<>();
  private StepLedger ledger;

  private static final class Account {
    final String customerId;
    final String name;
    long balance;
    long charged;
    long refunded;
    final JsonArray charges = new JsonArray();
    final JsonArray refunds = new JsonArray();

    Account(String customerId, String name, long balance) {
      this.customerId = customerId;
      this.name = name;
      this.balance = balance;
    }

    JsonObject summary() {
      return new JsonObject().put("customerId", customerId).put("name", name).put("balance", balance);
    }

    JsonObject toJson() {
      return summary().put("charged", charged).put("refunded", refunded).put("charges", charges.copy()).put("refunds", refunds.copy());
    }
  }

  public PaymentVerticle(ConfigReader paymentConfig) {
    this.config = paymentConfig;
  }

  @Override
  public Future<?> start() {
    readCustomers(config).forEach(account -> accounts.put(account.customerId, account));
    Faults faults = Faults.fromConfig(config.raw().getJsonObject("faults"));
    ledger = new StepLedger(vertx, faults);
    var bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(PaymentAddresses.CHARGE, m -> ledger.invoke(m, "charge", this::charge)).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.REFUND, m -> ledger.compensate(m, "refund", this::refund)).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.STATUS, ledger::status).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.CUSTOMERS, this::customers).completion(),
        bus.<JsonObject>consumer(PaymentAddresses.ACCOUNT, this::account).completion(),
        faults.listen(vertx, PaymentAddresses.FAULTS)));
  }

  private Future<JsonObject> charge(JsonObject command) {
    Long amount = command.getLong("amount");
    if (amount == null || amount < 0) {
      throw StepRejected.badRequest("amount must be a non-negative integer");
    }
    Account account = accounts.get(command.getString("customerId"));
    if (account == null) {
      throw StepRejected.rejected("unknown customer " + command.getString("customerId"));
    }
    if (account.balance < amount) {
      throw StepRejected.rejected("payment declined: insufficient funds (balance " + account.balance + ", amount " + amount + ")");
    }
    String chargeId = "ch-" + UUID.randomUUID();
    account.balance -= amount;
    account.charged += amount;
    account.charges.add(new JsonObject().put("chargeId", chargeId).put("sagaId", command.getString("sagaId"))
        .put("amount", amount).put("at", Instant.now().toString()));
    return Future.succeededFuture(new JsonObject().put("chargeId", chargeId).put("charged", amount));
  }

  private Future<JsonObject> refund(JsonObject command, JsonObject charge) {
    Account account = accounts.get(command.getString("customerId"));
    long amount = charge.getLong("charged");
    account.balance += amount;
    account.refunded += amount;
    account.refunds.add(new JsonObject().put("chargeId", charge.getString("chargeId")).put("sagaId", command.getString("sagaId"))
        .put("amount", amount).put("at", Instant.now().toString()));
    return Future.succeededFuture(new JsonObject().put("refunded", amount));
  }

  private void customers(Message<JsonObject> message) {
    message.reply(new JsonObject().put("items", new JsonArray(accounts.values().stream().map(Account::summary).toList())));
  }

  private void account(Message<JsonObject> message) {
    String customerId = message.body() == null ? null : message.body().getString("customerId");
    Account account = customerId == null ? null : accounts.get(customerId);
    if (account == null) {
      message.fail(FailureCodes.NOT_FOUND, "unknown customer '" + customerId + "'");
      return;
    }
    message.reply(account.toJson());
  }

  /** {@code customers: {id: balance}} or {@code customers: {id: {name, balance}}}; amounts in minor units. */
  private static List<Account> readCustomers(ConfigReader config) {
    if (!config.has("customers")) {
      return List.of(new Account("c-alice", "Alice", 1_000_000), new Account("c-bob", "Bob", 50_000), new Account("c-carol", "Carol", 500));
    }
    ConfigReader customers = config.section("customers");
    return customers.raw().fieldNames().stream().map(id -> {
      Object value = customers.raw().getValue(id);
      if (value instanceof JsonObject) {
        ConfigReader customer = customers.section(id);
        return new Account(id, customer.string("name", id), customer.longValue("balance", 0, 0, Long.MAX_VALUE));
      }
      if (value instanceof Number) {
        return new Account(id, id, customers.longValue(id, 0, 0, Long.MAX_VALUE));
      }
      throw new ConfigException(customers.key(id), "must be a balance or {name, balance}");
    }).toList();
  }
}
