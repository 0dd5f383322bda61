package io.sagabus.platform.ids;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Ids for the records sagabus creates (sagas, orders, events, charges, shipments): version 7 UUIDs, which start with
 * their creation time in milliseconds. PostgreSQL therefore adds each new key at the right-hand end of its index
 * instead of at a random page, so an index insert after a checkpoint seldom has to log a whole page again. The bits
 * after the time are random, counted up within one millisecond so that ids made together stay in order; an id tells
 * when it was made, which every API answer shows anyway.
 */
public final class Ids {

  private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

  private Ids() {}

  public static String next() {
    return GENERATOR.generate().toString();
  }
}
