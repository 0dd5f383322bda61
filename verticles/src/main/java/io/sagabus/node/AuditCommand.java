package io.sagabus.node;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Checks the books of a running cluster from outside, through the public HTTP API only: the same view a customer's
 * auditor would have. {@code save} records a baseline; {@code check} waits for in-flight sagas to finish and then
 * verifies that nothing was lost, charged twice, or left out of balance.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
        "Checks the books of a running cluster through its HTTP API.",
        "  audit save  --url URL --out FILE        record stock and balances as a baseline",
        "  audit check --url URL --baseline FILE   wait for sagas to end, then check every invariant",
        "Exit codes: 0 books balance, 2 bad input, 7 an invariant failed, 8 the API could not be read."})
final class AuditCommand implements Callable<Integer> {

  static final int BOOKS_OUT_OF_BALANCE = 7;
  static final int API_UNREADABLE = 8;
  private static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "COMPENSATION_FAILED");
  private static final int PAGE = 500;
  private static final int READ_ATTEMPTS = 8;

  @Parameters(index = "0", paramLabel = "save|check", description = "save a baseline, or check against one")
  String mode;

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "A gateway node. Default ${DEFAULT-VALUE}.")
  String url;

  @Option(names = "--out", paramLabel = "FILE", description = "Where 'save' writes the baseline.")
  Path out;

  @Option(names = "--baseline", paramLabel = "FILE", description = "The baseline 'check' compares with.")
  Path baseline;

  @Option(names = "--expect-sagas", paramLabel = "FILE", description = "Saga ids (one per line) that must all exist and have ended.")
  Path expectedSagas;

  @Option(names = "--quiesce-seconds", defaultValue = "120", description = "How long 'check' waits for running sagas to end. Default ${DEFAULT-VALUE}.")
  int quiesceSeconds;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() {
    try {
      return switch (mode) {
        case "save" -> save();
        case "check" -> check();
        default -> badInput("mode must be 'save' or 'check', got '" + mode + "'");
      };
    } catch (ApiUnreadable e) {
      System.err.println("sagabus audit: " + e.getMessage());
      return API_UNREADABLE;
    }
  }

  private int save() {
    if (out == null) {
      return badInput("save needs --out FILE");
    }
    JsonObject books = books();
    try {
      Files.writeString(out, books.encodePrettily());
    } catch (IOException e) {
      return badInput("cannot write " + out + ": " + e.getMessage());
    }
    System.out.println("baseline saved to " + out + ": " + books.getJsonObject("stock").size() + " SKUs, "
        + books.getJsonObject("accounts").size() + " accounts");
    return ExitCodes.OK;
  }

  private int check() {
    if (baseline == null) {
      return badInput("check needs --baseline FILE (make one with 'audit save' before the run)");
    }
    JsonObject before;
    Set<String> expected = new HashSet<>();
    try {
      before = new JsonObject(Files.readString(baseline));
      if (expectedSagas != null) {
        Files.readAllLines(expectedSagas).stream().map(String::strip).filter(line -> !line.isEmpty()).forEach(expected::add);
      }
    } catch (IOException | DecodeException e) {
      return badInput("cannot read " + (expectedSagas == null ? baseline : baseline + " or " + expectedSagas) + ": " + e.getMessage());
    }

    List<JsonObject> sagas = awaitQuiescence();
    JsonObject after = books();
    List<String> failures = new ArrayList<>();
    Map<String, JsonObject> byId = new HashMap<>();
    sagas.forEach(saga -> byId.put(saga.getString("sagaId"), saga));

    // Lost sagas: every saga the driver was told about exists and has ended.
    long missing = expected.stream().filter(id -> !byId.containsKey(id)).count();
    report(failures, missing == 0, "no lost sagas", expected.size() + " expected, " + missing + " missing");
    long running = sagas.stream().filter(saga -> !TERMINAL.contains(saga.getString("status"))).count();
    report(failures, running == 0, "every saga ended", sagas.size() + " sagas, " + running + " still running after " + quiesceSeconds + " s");

    // Stock: nothing created or destroyed, nothing left reserved.
    JsonObject stockBefore = before.getJsonObject("stock");
    JsonObject stockAfter = after.getJsonObject("stock");
    for (String sku : stockBefore.fieldNames()) {
      JsonObject level = stockAfter.getJsonObject(sku, new JsonObject());
      long total = level.getLong("available", 0L) + level.getLong("reserved", 0L) + level.getLong("sold", 0L);
      report(failures, total == stockBefore.getJsonObject(sku).getLong("total"), "stock of " + sku + " is conserved",
          "available+reserved+sold=" + total + ", initially " + stockBefore.getJsonObject(sku).getLong("total"));
      report(failures, level.getLong("reserved", 0L) == 0, "nothing of " + sku + " is left reserved", "reserved=" + level.getLong("reserved", 0L));
    }

    // Money: per saga, a completed order is charged its total once; an ended failure nets to zero.
    Map<String, Long> netBySaga = new HashMap<>();
    Map<String, Integer> chargesBySaga = new HashMap<>();
    long balanceDrop = 0;
    long netMoved = 0;
    JsonObject accountsBefore = before.getJsonObject("accounts");
    JsonObject accountsAfter = after.getJsonObject("accounts");
    for (String customer : accountsAfter.fieldNames()) {
      JsonObject account = accountsAfter.getJsonObject(customer);
      for (Object charge : account.getJsonArray("charges", new JsonArray())) {
        String sagaId = ((JsonObject) charge).getString("sagaId");
        netBySaga.merge(sagaId, ((JsonObject) charge).getLong("amount"), Long::sum);
        chargesBySaga.merge(sagaId, 1, Integer::sum);
      }
      for (Object refund : account.getJsonArray("refunds", new JsonArray())) {
        netBySaga.merge(((JsonObject) refund).getString("sagaId"), -((JsonObject) refund).getLong("amount"), Long::sum);
      }
      JsonObject was = accountsBefore.getJsonObject(customer, account);
      balanceDrop += was.getLong("balance") - account.getLong("balance");
      netMoved += (account.getLong("charged") - account.getLong("refunded")) - (was.getLong("charged") - was.getLong("refunded"));
    }
    long doubleCharged = chargesBySaga.values().stream().filter(count -> count > 1).count();
    report(failures, doubleCharged == 0, "no saga charged twice", doubleCharged + " sagas with more than one charge");
    long completedTotal = 0;
    int wrongNet = 0;
    for (JsonObject saga : sagas) {
      long net = netBySaga.getOrDefault(saga.getString("sagaId"), 0L);
      String status = saga.getString("status");
      if (status.equals("COMPLETED")) {
        long total = orderTotal(saga, stockAfter);
        completedTotal += total;
        wrongNet += net == total ? 0 : 1;
      } else if (status.equals("FAILED")) {
        wrongNet += net == 0 ? 0 : 1;
      }
    }
    report(failures, wrongNet == 0, "each completed order paid its total once, each failed one nothing", wrongNet + " sagas off");
    report(failures, balanceDrop == netMoved, "balances moved exactly by charges minus refunds",
        "balances dropped " + balanceDrop + ", charges minus refunds " + netMoved);
    long parked = sagas.stream().filter(saga -> saga.getString("status").equals("COMPENSATION_FAILED")).count();
    if (parked == 0) {
      report(failures, netMoved == completedTotal, "charged minus refunded equals the completed orders' totals",
          "net " + netMoved + ", completed totals " + completedTotal);
    } else {
      System.out.println("NOTE " + parked + " sagas are COMPENSATION_FAILED and await a person; their money is not counted as settled");
    }

    System.out.println((failures.isEmpty() ? "BOOKS BALANCE" : "BOOKS DO NOT BALANCE") + ": " + sagas.size()
        + " sagas (" + count(sagas, "COMPLETED") + " completed, " + count(sagas, "FAILED") + " failed, " + parked + " parked)");
    return failures.isEmpty() ? ExitCodes.OK : BOOKS_OUT_OF_BALANCE;
  }

  private List<JsonObject> awaitQuiescence() {
    long deadline = System.nanoTime() + Duration.ofSeconds(quiesceSeconds).toNanos();
    while (true) {
      List<JsonObject> sagas = allSagas();
      boolean ended = sagas.stream().allMatch(saga -> TERMINAL.contains(saga.getString("status")));
      if (ended || System.nanoTime() > deadline) {
        return sagas;
      }
      sleep(1_000);
    }
  }

  private List<JsonObject> allSagas() {
    List<JsonObject> sagas = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = get("/api/sagas?limit=" + PAGE + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      page.getJsonArray("items").forEach(item -> sagas.add((JsonObject) item));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return sagas;
  }

  /** Stock totals per SKU (with price) and each account with its charges and refunds. */
  private JsonObject books() {
    JsonObject stock = new JsonObject();
    for (Object item : get("/api/inventory").getJsonArray("items")) {
      JsonObject level = (JsonObject) item;
      stock.put(level.getString("sku"), level.copy()
          .put("total", level.getLong("available", 0L) + level.getLong("reserved", 0L) + level.getLong("sold", 0L)));
    }
    JsonObject accounts = new JsonObject();
    for (Object item : get("/api/customers").getJsonArray("items")) {
      String customerId = ((JsonObject) item).getString("customerId");
      accounts.put(customerId, get("/api/customers/" + URLEncoder.encode(customerId, StandardCharsets.UTF_8) + "/account"));
    }
    return new JsonObject().put("stock", stock).put("accounts", accounts);
  }

  private static long orderTotal(JsonObject saga, JsonObject stock) {
    long total = 0;
    for (Object line : saga.getJsonObject("input").getJsonArray("items")) {
      JsonObject item = (JsonObject) line;
      total += item.getLong("qty") * stock.getJsonObject(item.getString("sku"), new JsonObject()).getLong("price", 0L);
    }
    return total;
  }

  /** A read of the public API; a 5xx is retried a few times, since the audit may run while faults are injected. */
  private JsonObject get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).GET().build();
    String lastProblem = null;
    for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return new JsonObject(response.body());
        }
        lastProblem = "GET " + path + " answered " + response.statusCode() + ": " + response.body();
        if (response.statusCode() < 500) {
          break;
        }
      } catch (IOException | DecodeException e) {
        lastProblem = "GET " + url + path + " failed: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ApiUnreadable("interrupted");
      }
      sleep(200L * attempt);
    }
    throw new ApiUnreadable(lastProblem);
  }

  private static void report(List<String> failures, boolean holds, String invariant, String detail) {
    System.out.println((holds ? "PASS " : "FAIL ") + invariant + " (" + detail + ")");
    if (!holds) {
      failures.add(invariant);
    }
  }

  private static long count(List<JsonObject> sagas, String status) {
    return sagas.stream().filter(saga -> saga.getString("status").equals(status)).count();
  }

  private static int badInput(String problem) {
    System.err.println("sagabus audit: " + problem);
    return ExitCodes.BAD_INPUT;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiUnreadable("interrupted");
    }
  }

  private static final class ApiUnreadable extends RuntimeException {
    ApiUnreadable(String message) {
      super(message);
    }
  }
}
