package io.sagabus.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagabus.platform.events.EventLog.StartFrom;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EmbeddedEventLogContractTest extends EventLogContract {

  @Override
  protected EventLog create(Vertx vertx, EventLogSettings settings) {
    return new EmbeddedEventLog(vertx, new EventLogSettings(settings.topicPrefix(), 3, (short) 1, 1_000));
  }

  @Test
  void groupBehindRetention_skipsWhatWasDropped_andReadsWhatIsKept() {
    EventLog small = new EmbeddedEventLog(vertx, new EventLogSettings(prefix, 1, (short) 1, 10));
    done(small.publish(IntStream.range(0, 40).mapToObj(i -> event(EventTopics.ORDER_CREATED, "order-r", i)).toList()));
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    done(small.subscribe("late", List.of(EventTopics.ORDER_CREATED), StartFrom.EARLIEST, event -> {
      seen.add(event.payload().getInteger("seq"));
      return Future.succeededFuture();
    }));
    await().until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == 39);
    assertThat(seen.size()).isBetween(10, 12);
    assertThat(seen).isSorted();
  }
}
