package io.ferry.scheduler.policy;

import com.google.protobuf.Timestamp;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.parse.ParseResult;
import io.ferry.v1.PolicyInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which policy is in force. The running policy lives in ZooKeeper ({@link PolicyStore}); a watched file or
 * directory ({@code --policy}) and {@code ferry policy apply} both go through validation first, so an invalid edit
 * never replaces the running policy: it is logged once, counted, and shown in {@code ferry status}.
 * Runs on the scheduler loop.
 */
public final class PolicyManager {
  private static final Logger log = LoggerFactory.getLogger(PolicyManager.class);

  private final PolicySource source;
  private final Clock clock;
  private final Consumer<SchedulingPolicy> onChange;
  private final Counter reloadOk;
  private final Counter reloadError;
  private PolicyStore store;
  private PolicyStore.Stored current;
  private String lastError = "";
  private Instant lastErrorAt;
  private volatile boolean valid = true;
  private boolean defaultsAnnounced;

  public PolicyManager(PolicySource source, Clock clock, MeterRegistry registry,
                       Consumer<SchedulingPolicy> onChange) {
    this.source = source;
    this.clock = clock;
    this.onChange = onChange;
    this.reloadOk = Counter.builder("ferry_policy_reload_total").tag("result", "ok")
        .description("Policy edits seen (file, directory or ferry policy apply), by result").register(registry);
    this.reloadError = Counter.builder("ferry_policy_reload_total").tag("result", "error")
        .description("Policy edits seen (file, directory or ferry policy apply), by result").register(registry);
    Gauge.builder("ferry_policy_valid", this, m -> m.valid ? 1 : 0)
        .description("0 while the last policy edit was rejected (the previous policy keeps running)")
        .register(registry);
  }

  public void attach(PolicyStore store) {
    this.store = store;
    this.current = null;
    this.defaultsAnnounced = false;
  }

  public void detach() {
    this.store = null;
  }

  /** Picks up a changed policy file, then whatever version ZooKeeper holds. */
  public void refresh() {
    if (store == null) {
      return;
    }
    if (source != null) {
      source.changed().ifPresent(read -> {
        if (read.problem() != null) {
          rejected(read.problem());
        } else {
          apply(read.file().toString(), read.yaml());
        }
      });
    }
    if (!adoptStored() && current == null && !defaultsAnnounced) {
      defaultsAnnounced = true;
      onChange.accept(policy());
    }
  }

  /** Takes the version ZooKeeper holds if it is new; returns whether ZooKeeper holds a policy at all. */
  private boolean adoptStored() {
    Optional<PolicyStore.Stored> stored = store.current();
    if (stored.isPresent() && (current == null || stored.get().version() != current.version())) {
      current = stored.get();
      log.info("policy {} version {} (from {}) is in force", current.policy().name(), current.version(),
          current.source());
      onChange.accept(current.policy());
    }
    return stored.isPresent();
  }

  /** Validates and stores a policy; returns the validation result. */
  public ParseResult apply(String file, String yaml) {
    ParseResult r = store == null ? io.ferry.policies.parse.PolicyParser.parse(file, yaml)
        : store.apply(file, yaml, clock.instant());
    if (!r.ok()) {
      rejected(PolicySource.firstError(r));
      return r;
    }
    if (store == null) {
      return r;
    }
    reloadOk.increment();
    valid = true;
    lastError = "";
    lastErrorAt = null;
    adoptStored();
    return r;
  }

  private void rejected(String error) {
    reloadError.increment();
    valid = false;
    if (!error.equals(lastError)) {
      log.error("policy edit rejected, the running policy ({}) stays: {}", policy().name(), error);
    }
    lastError = error;
    lastErrorAt = clock.instant();
  }

  public SchedulingPolicy policy() {
    return current != null ? current.policy() : SchedulingPolicy.defaults("default");
  }

  public String yaml() {
    return current != null ? current.yaml() : "# built-in default policy (no policy applied yet)\n";
  }

  public PolicyInfo info() {
    PolicyInfo.Builder b = PolicyInfo.newBuilder().setName(policy().name())
        .setVersion(current != null ? current.version() : 0)
        .setSource(current != null ? current.source() : "built-in default")
        .setLastError(lastError);
    if (current != null) {
      b.setAppliedAt(ts(current.appliedAt()));
    }
    if (lastErrorAt != null) {
      b.setLastErrorAt(ts(lastErrorAt));
    }
    return b.build();
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
