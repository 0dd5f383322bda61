package io.sagabus.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The tap turns saga events into totals, step timelines and triage entries, in bounded memory. */
class SagaTapTest {

  private static JsonObject saga(String id, String from, String to, long at) {
    return new JsonObject().put("sagaId", id).put("type", "order").put("kind", "saga").put("from", from).put("to", to).put("at", at);
  }

  private static JsonObject step(String id, String step, String from, String to, int attempt, String error, long at) {
    JsonObject event = new JsonObject().put("sagaId", id).put("type", "order").put("kind", "step").put("step", step)
        .put("from", from).put("to", to).put("at", at);
    if (attempt > 0) {
      event.put("attempt", attempt);
    }
    if (error != null) {
      event.put("error", error);
    }
    return event;
  }

  @Test
  void compensatedSaga_hasStepTimelineWithCompensation_andCountsAsFailedThenCompensated() {
    SagaTap tap = new SagaTap(10, 10);
    tap.onEvent(saga("s1", "PENDING", "RUNNING", 1_000));
    tap.onEvent(step("s1", "reserve", "PENDING", "RUNNING", 0, null, 1_000));
    tap.onEvent(step("s1", "reserve", "RUNNING", "SUCCEEDED", 1, null, 1_030));
    tap.onEvent(step("s1", "charge", "PENDING", "RUNNING", 0, null, 1_030));
    tap.onEvent(step("s1", "charge", "RUNNING", "FAILED", 3, "charge: declined (422)", 1_200));
    tap.onEvent(saga("s1", "RUNNING", "COMPENSATING", 1_200).put("error", "charge: declined (422)"));
    JsonObject midway = tap.report(1_250);
    assertThat(midway.getJsonArray("triage").getJsonObject(0).getString("status")).isEqualTo("COMPENSATING");
    tap.onEvent(step("s1", "reserve", "SUCCEEDED", "COMPENSATING", 0, null, 1_300));
    tap.onEvent(step("s1", "reserve", "COMPENSATING", "COMPENSATED", 1, null, 1_310));
    tap.onEvent(saga("s1", "COMPENSATING", "FAILED", 1_310).put("error", "compensated"));

    JsonObject report = tap.report(1_400);
    assertThat(report.getJsonObject("sagas").getMap()).containsEntry("started", 1L).containsEntry("failed", 1L)
        .containsEntry("compensated", 1L).containsEntry("completed", 0L);
    assertThat(report.getJsonArray("triage")).isEmpty();
    JsonObject tracked = report.getJsonArray("sample").getJsonObject(0);
    assertThat(tracked.getString("status")).isEqualTo("FAILED");
    JsonArray steps = tracked.getJsonArray("steps");
    JsonObject reserve = steps.getJsonObject(0);
    assertThat(reserve.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(reserve.getLong("endedAt") - reserve.getLong("startedAt")).isEqualTo(30);
    assertThat(reserve.getJsonObject("compensation").getString("status")).isEqualTo("COMPENSATED");
    assertThat(reserve.getJsonObject("compensation").getInteger("attempts")).isEqualTo(1);
    JsonObject charge = steps.getJsonObject(1);
    assertThat(charge.getString("status")).isEqualTo("FAILED");
    assertThat(charge.getInteger("attempts")).isEqualTo(3);
    assertThat(charge.getString("error")).isEqualTo("charge: declined (422)");
  }

  @Test
  void atHighRate_onlyAdmittedSagasAreFollowed_andMemoryStaysBounded() {
    SagaTap tap = new SagaTap(25, 5);
    for (int interval = 0; interval < 20; interval++) {
      for (int i = 0; i < 5_000; i++) {
        String id = interval + "-" + i;
        long at = interval * 1_000L + i;
        tap.onEvent(saga(id, "PENDING", "RUNNING", at));
        tap.onEvent(step(id, "reserve", "PENDING", "RUNNING", 0, null, at));
        tap.onEvent(step(id, "reserve", "RUNNING", "FAILED", 1, "no stock", at));
        tap.onEvent(saga(id, "RUNNING", "COMPENSATING", at).put("error", "no stock"));
        tap.onEvent(saga(id, "COMPENSATING", "COMPENSATION_FAILED", at).put("error", "stuck"));
      }
      JsonObject report = tap.report(interval * 1_000L + 999);
      assertThat(report.getJsonArray("sample").size()).isLessThanOrEqualTo(25);
      assertThat(report.getJsonArray("triage").size()).isLessThanOrEqualTo(SagaTap.MAX_TRIAGE);
    }
    JsonObject report = tap.report(20_000);
    assertThat(report.getJsonObject("sagas").getLong("started")).isEqualTo(100_000);
    assertThat(report.getJsonObject("sagas").getLong("parked")).isEqualTo(100_000);
    assertThat(report.getJsonArray("sample").getJsonObject(0).getString("sagaId")).startsWith("19-");
  }

  @Test
  void throughputSeries_keepsThreeHundredSecondsPerOutcome() {
    ThroughputSeries series = new ThroughputSeries(0);
    for (int second = 0; second < 400; second++) {
      series.add(second * 1_000L + 10, new long[] {second, 1, 0, 0});
    }
    series.advance(400_000);
    JsonObject json = series.toJson();
    assertThat(json.getJsonArray("started")).hasSize(ThroughputSeries.POINTS);
    assertThat(json.getJsonArray("started").getLong(ThroughputSeries.POINTS - 1)).isEqualTo(399);
    assertThat(json.getJsonArray("started").getLong(0)).isEqualTo(100);
    assertThat(series.lastSecond().getLong("started")).isEqualTo(399);
  }

  @Test
  void parkedSagaFromTheStore_isTriagedAtItsStuckStep_withItsCompensationAttemptsAndLastError() {
    JsonArray attempts = new JsonArray().add(new JsonObject().put("kind", "invoke").put("attempt", 1).put("outcome", "ok"));
    for (int i = 1; i <= 5; i++) {
      attempts.add(new JsonObject().put("kind", "compensate").put("attempt", i).put("outcome", "failed").put("error", "refund refused " + i));
    }
    JsonObject view = new JsonObject().put("sagaId", "s9").put("type", "order").put("status", "COMPENSATION_FAILED")
        .put("retrying", false).put("updatedAt", 5L).put("error", "compensation of charge-payment: refund refused 5")
        .put("steps", new JsonArray()
            .add(new JsonObject().put("name", "create-order").put("status", "COMPENSATED").put("attempts", new JsonArray()))
            .add(new JsonObject().put("name", "charge-payment").put("status", "COMPENSATION_FAILED").put("attempts", attempts))
            .add(new JsonObject().put("name", "create-shipment").put("status", "FAILED").put("attempts", new JsonArray())));

    JsonObject entry = TriageViews.fromSagaView(view);

    assertThat(entry.getString("status")).isEqualTo("COMPENSATION_FAILED");
    assertThat(entry.getString("step")).isEqualTo("charge-payment");
    assertThat(entry.getInteger("attempts")).isEqualTo(5);
    assertThat(entry.getString("error")).isEqualTo("refund refused 5");
    assertThat(TriageViews.fromSagaView(view.copy().put("status", "RUNNING").put("retrying", true)).getString("status")).isEqualTo("RETRYING");
  }
}
