package io.ferry.hostagent.signals;

import io.ferry.v1.SignalStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns sampler outcomes into {@link SignalStatus} values, counts every unavailable sample in
 * {@code ferry_signal_unavailable_total{signal,reason_kind}} and logs only when a signal's status changes, so a
 * host without sensors logs one line, not one every five seconds. A signal that is only warming up (rates need a
 * second sample) is reported unavailable but neither counted nor logged.
 */
public final class SignalAvailability {
  static final String UNAVAILABLE_METRIC = "ferry_signal_unavailable_total";
  private static final Logger log = LoggerFactory.getLogger(SignalAvailability.class);
  private static final SignalStatus AVAILABLE = SignalStatus.newBuilder().setAvailable(true).build();

  private final MeterRegistry registry;
  private final Map<String, String> lastReasonBySubject = new ConcurrentHashMap<>();

  public SignalAvailability(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Status of a signal that was read; logs a recovery if it was unavailable before. */
  SignalStatus available(String signal, String subject) {
    String previous = lastReasonBySubject.put(key(signal, subject), "");
    if (previous != null && !previous.isEmpty()) {
      log.info("{} signal{} is available again (was: {})", signal, suffix(subject), previous);
    }
    return AVAILABLE;
  }

  SignalStatus available(String signal) {
    return available(signal, "");
  }

  /** Status of a signal that could not be read; counts it and logs when the reason is new. */
  SignalStatus unavailable(String signal, String subject, Unavailable why) {
    SignalStatus status = SignalStatus.newBuilder().setAvailable(false).setReason(why.reason()).build();
    if (why.kind() == Unavailable.Kind.WARMING_UP) {
      return status; // expected once after start: neither a failure to count nor news to log
    }
    Counter.builder(UNAVAILABLE_METRIC)
        .description("Samples in which a host signal could not be read, by signal and kind of reason")
        .tag("signal", signal)
        .tag("reason_kind", why.kind().label())
        .register(registry)
        .increment();
    String previous = lastReasonBySubject.put(key(signal, subject), why.reason());
    if (!why.reason().equals(previous)) {
      log.warn("{} signal{} unavailable: {}; reporting it as unavailable and trying again next sample",
          signal, suffix(subject), why.reason());
    }
    return status;
  }

  SignalStatus unavailable(String signal, Unavailable why) {
    return unavailable(signal, "", why);
  }

  private static String key(String signal, String subject) {
    return signal + "\u0000" + subject;
  }

  private static String suffix(String subject) {
    return subject.isEmpty() ? "" : " for " + subject;
  }
}
