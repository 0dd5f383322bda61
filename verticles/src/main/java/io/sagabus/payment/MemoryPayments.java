package io.sagabus.payment;

import io.sagabus.platform.events.EventTopics;
import io.sagabus.platform.events.StepEvents;
import io.sagabus.platform.ids.Ids;
import io.sagabus.platform.outbox.MemoryOutbox;
import io.sagabus.platform.participant.Faults;
import io.sagabus.platform.participant.StepLedger;
import io.sagabus.platform.participant.StepRejected;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accounts kept in the verticle's memory: for a single node, tests and demos. Lost on restart. Events go to the
 * memory outbox in the same event-loop turn as the change. Charges and refunds are small records, rendered as JSON
 * only when an account is read: an account's history grows by one entry per order.
 */
final class MemoryPayments implements PaymentBook {

  private final Map<String, Account> accounts = new TreeMap<>();
  private final StepLedger ledger;
  private final MemoryOutbox outbox;

  private static final class Account {
    final String customerId;
    final String name;
    long balance;
    long charged;
    long refunded;
    final List<Movement> charges = new ArrayList<>();
    final List<Movement> refunds = new ArrayList<>();

    Account(String customerId, String name, long balance) {
      this.customerId = customerId;
      this.name = name;
      this.balance = balance;
    }

    JsonObject summary() {
      return new JsonObject().put("customerId", customerId).put("name", name).put("balance", balance);
    }

    JsonObject toJson() {
      return summary().put("charged", charged).put("refunded", refunded).put("charges", Movement.toJson(charges)).put("refunds", Movement.toJson(refunds));
    }
  }

  /** A charge or a refund of one saga's payment. */
  private record Movement(String chargeId, String sagaId, long amount, Instant at) {
    static JsonArray toJson(List<Movement> movements) {
      JsonArray json = new JsonArray();
      movements.forEach(movement -> json.add(new JsonObject().put("chargeId", movement.chargeId).put("sagaId", movement.sagaId)
          .put("amount", movement.amount).put("at", movement.at.toString())));
      return json;
    }
  }

  MemoryPayments(Vertx vertx, Faults faults, MemoryOutbox outbox) {
    this.ledger = new StepLedger(vertx, faults);
    this.outbox = outbox;
  }

  @Override
  public Future<Void> start(List<SeedCustomer> seed) {
    seed.forEach(customer -> accounts.put(customer.customerId(), new Account(customer.customerId(), customer.name(), customer.balance())));
    return Future.succeededFuture();
  }

  @Override
  public void charge(Message<JsonObject> message) {
    ledger.invoke(message, "charge", this::charge);
  }

  @Override
  public void refund(Message<JsonObject> message) {
    ledger.compensate(message, "refund", this::refund);
  }

  @Override
  public void status(Message<JsonObject> message) {
    ledger.status(message);
  }

  @Override
  public Future<JsonArray> customers() {
    return Future.succeededFuture(new JsonArray(accounts.values().stream().map(Account::summary).toList()));
  }

  @Override
  public Future<JsonObject> account(String customerId) {
    Account account = accounts.get(customerId);
    return Future.succeededFuture(account == null ? null : account.toJson());
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
    String chargeId = "ch-" + Ids.next();
    account.balance -= amount;
    account.charged += amount;
    account.charges.add(new Movement(chargeId, command.getString("sagaId"), amount, Instant.now()));
    outbox.append(List.of(StepEvents.of(EventTopics.PAYMENT_PROCESSED, command, PaymentEvents.of(command, chargeId, amount))));
    return Future.succeededFuture(new JsonObject().put("chargeId", chargeId).put("charged", amount));
  }

  private Future<JsonObject> refund(JsonObject command, JsonObject charge) {
    Account account = accounts.get(command.getString("customerId"));
    long amount = charge.getLong("charged");
    account.balance += amount;
    account.refunded += amount;
    account.refunds.add(new Movement(charge.getString("chargeId"), command.getString("sagaId"), amount, Instant.now()));
    outbox.append(List.of(StepEvents.of(EventTopics.PAYMENT_REFUNDED, command, PaymentEvents.of(command, charge.getString("chargeId"), amount))));
    return Future.succeededFuture(new JsonObject().put("refunded", amount));
  }
}
