package io.sagabus.perf;

import io.sagabus.platform.time.Instants;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading an event's {@code occurredAt}: sagabus's {@link Instants#parse} against the JDK's {@link Instant#parse}, the
 * baseline, on the text {@link Instant#toString()} writes. Every consumer of every domain event reads one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class InstantParseBenchmark {

  private final String text = Instant.parse("2026-11-24T03:13:10.123456Z").toString();

  @Benchmark
  public Instant jdkInstantParse() {
    return Instant.parse(text);
  }

  @Benchmark
  public Instant sagabusInstants() {
    return Instants.parse(text);
  }
}
