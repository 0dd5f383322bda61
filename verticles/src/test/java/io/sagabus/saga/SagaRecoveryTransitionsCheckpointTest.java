package io.sagabus.saga;

import io.vertx.core.json.JsonObject;

/**
 * Crash recovery when successful steps are not stored one by one ({@code checkpoint: transitions}): the survivor
 * resumes from the saga's start and re-sends steps that already happened; the participants' ledgers answer them, so
 * nothing is done twice and the books still balance.
 */
class SagaRecoveryTransitionsCheckpointTest extends SagaRecoveryScenarios {

  private final String mapPrefix = "sagabus." + SagaTestSupport.uniqueSuffix() + ".";

  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("store", "embedded").put("mapPrefix", mapPrefix).put("checkpoint", "transitions");
  }
}
