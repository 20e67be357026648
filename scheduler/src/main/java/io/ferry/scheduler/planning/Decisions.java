package io.ferry.scheduler.planning;

import com.google.protobuf.Timestamp;
import io.ferry.v1.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last decisions of the leader with their reasons, for `ferry status`, the terminal view and the logs. */
public final class Decisions {
  private static final Logger log = LoggerFactory.getLogger(Decisions.class);
  private static final int KEEP = 100;

  private final Deque<Decision> recent = new ArrayDeque<>();
  private final Clock clock;
  private final MeterRegistry registry;

  public Decisions(Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.registry = registry;
  }

  /** kind: move, power, mode, policy, skip, vm (an operator started or stopped a VM). */
  public synchronized void add(String kind, String subject, String reason, String explanation) {
    Instant now = clock.instant();
    recent.addLast(Decision.newBuilder().setAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond())
        .setNanos(now.getNano())).setKind(kind).setSubject(subject).setReason(reason).setExplanation(explanation)
        .build());
    while (recent.size() > KEEP) {
      recent.removeFirst();
    }
    Counter.builder("ferry_decisions_total").description("Decisions of the leader, by kind and reason")
        .tag("kind", kind).tag("reason", reason).register(registry).increment();
    log.info("decision: {} {} ({}): {}", kind, subject, reason, explanation);
  }

  public synchronized List<Decision> recent() {
    return List.copyOf(recent);
  }

  public synchronized void clear() {
    recent.clear();
  }
}
