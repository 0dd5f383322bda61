package io.sagabus.platform.resilience;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Time as the resilience stack sees it: how long calls take, and when a retry runs. Tests replace it to make slow
 * calls and backoff delays deterministic.
 */
public interface ResilienceClock {

  long nanoTime();

  /** Runs {@code task} after {@code delayMs}, on the context that asked, when there is one. */
  void schedule(long delayMs, Runnable task);

  static ResilienceClock system(Vertx vertx) {
    return new ResilienceClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void schedule(long delayMs, Runnable task) {
        Context context = Vertx.currentContext();
        if (delayMs <= 0) {
          if (context != null) {
            context.runOnContext(ignored -> task.run());
          } else {
            vertx.runOnContext(ignored -> task.run());
          }
          return;
        }
        vertx.setTimer(delayMs, ignored -> task.run());
      }
    };
  }
}
