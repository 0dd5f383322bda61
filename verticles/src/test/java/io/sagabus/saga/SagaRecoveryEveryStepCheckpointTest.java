package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/**
 * Crash recovery when every successful step is stored ({@code checkpoint: every-step}): the survivor resumes at the
 * step that was in flight, and the books still balance. (The other recovery tests run the default, {@code transitions},
 * where the survivor re-sends steps that already happened and the participants' ledgers answer them.)
 */
class SagaRecoveryEveryStepCheckpointTest extends SagaRecoveryScenarios {

  private final String mapPrefix = "sagabus." + SagaTestSupport.uniqueSuffix() + ".";

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "embedded").put("mapPrefix", mapPrefix).put("checkpoint", "every-step");
  }
}
