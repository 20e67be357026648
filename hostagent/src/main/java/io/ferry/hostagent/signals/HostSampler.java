package io.ferry.hostagent.signals;

import com.google.protobuf.Timestamp;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.ferry.v1.SignalStatus;
import io.ferry.v1.SmartSignal;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's signals as one {@link HostSignals}: CPU, memory, temperature and network read on every sample, SMART
 * read when its own (much longer) interval has passed on the injected clock and cached in between. Every sample
 * also updates the host gauges on the registry. A sample never throws: each signal carries its own status.
 *
 * <p>Three ways to drive it: call {@link #sample()} (SMART inline when due; simplest, but a slow disk delays that
 * one sample); or {@link #start} it on an executor, which samples every {@link SamplingIntervals#signals()} and
 * refreshes SMART as a separate task, and read {@link #latest()}; or, for an agent that reports on its own schedule,
 * {@link #startSmart} plus {@link #sampleWithCachedSmart()} at each report.
 */
public final class HostSampler {
  private static final Logger log = LoggerFactory.getLogger(HostSampler.class);
  private static final SmartSignal SMART_NOT_YET = SmartSignal.newBuilder()
      .setStatus(SignalStatus.newBuilder().setAvailable(false).setReason("SMART not sampled yet"))
      .build();

  private final Clock clock;
  private final SamplingIntervals intervals;
  private final CpuSampler cpu;
  private final MemorySampler memory;
  private final TemperatureSampler temperature;
  private final NetworkSampler network;
  private final SmartSampler smart;
  private final HostFactsSampler facts;
  private final HostSignalsGauges gauges;
  private final Object smartLock = new Object();
  private volatile SmartSignal cachedSmart = SMART_NOT_YET;
  private volatile Instant smartSampledAt;
  private volatile HostSignals latest;

  private HostSampler(Builder b) {
    this.clock = b.clock;
    this.intervals = b.intervals;
    SignalAvailability availability = new SignalAvailability(b.registry);
    this.cpu = new CpuSampler(b.files, availability);
    this.memory = new MemorySampler(b.files, availability);
    this.temperature = new TemperatureSampler(b.files, availability);
    this.network = new NetworkSampler(b.files, b.clock, availability);
    this.smart = new SmartSampler(b.runner, b.smartTimeout, b.clock, availability);
    this.facts = new HostFactsSampler(b.files, b.runner);
    this.gauges = new HostSignalsGauges(b.registry);
    gauges.registerFixed();
  }

  /** This machine ({@code /}), real processes, the system clock and default intervals. */
  public static HostSampler forThisHost(MeterRegistry registry) {
    return builder(registry).build();
  }

  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /** Samples the fast signals now, and SMART too if its interval has passed; updates the gauges. */
  public HostSignals sample() {
    if (smartDue()) {
      refreshSmart();
    }
    return sampleWithCachedSmart();
  }

  /** Samples the fast signals now and pairs them with the last SMART result, whatever its age. */
  public synchronized HostSignals sampleWithCachedSmart() {
    Instant now = clock.instant();
    HostSignals signals = HostSignals.newBuilder()
        .setSampledAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setCpu(cpu.sample())
        .setMemory(memory.sample())
        .setTemperature(temperature.sample())
        .setNetwork(network.sample())
        .setSmart(cachedSmart)
        .build();
    gauges.update(signals);
    latest = signals;
    return signals;
  }

  /** Runs smartctl now (bounded by its time-out per command) and caches the result. */
  public SmartSignal refreshSmart() {
    synchronized (smartLock) {
      cachedSmart = smart.sample();
      smartSampledAt = clock.instant();
      return cachedSmart;
    }
  }

  /** The last sample, or null before the first. */
  public HostSignals latest() {
    return latest;
  }

  /** CPU model and flags, cores, memory, kernel and QEMU version: read on demand, they rarely change. */
  public HostFacts facts() {
    return facts.sample();
  }

  public SamplingIntervals intervals() {
    return intervals;
  }

  /**
   * Samples on {@code executor} until the returned handle is closed. With a single-threaded executor SMART and the
   * fast signals take turns; give it two threads to keep the fast signals on time while smartctl runs.
   */
  public AutoCloseable start(ScheduledExecutorService executor) {
    ScheduledFuture<?> fast = executor.scheduleAtFixedRate(guarded("signals", this::sampleWithCachedSmart), 0,
        intervals.signals().toMillis(), TimeUnit.MILLISECONDS);
    AutoCloseable smart = startSmart(executor);
    return () -> {
      fast.cancel(false);
      smart.close();
    };
  }

  /**
   * Refreshes only SMART on {@code executor}, every {@link SamplingIntervals#smart()}, until the handle is closed: for
   * a caller that samples the fast signals on its own schedule with {@link #sampleWithCachedSmart()}.
   */
  public AutoCloseable startSmart(ScheduledExecutorService executor) {
    ScheduledFuture<?> slow = executor.scheduleAtFixedRate(guarded("SMART", this::refreshSmart), 0,
        intervals.smart().toMillis(), TimeUnit.MILLISECONDS);
    return () -> slow.cancel(false);
  }

  /**
   * Samplers report failures as statuses, so anything thrown here is a bug; a periodic task that throws is never run
   * again, so log it and keep sampling rather than silently stop reporting.
   */
  private static Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("sampling {} failed unexpectedly; sampling again at the next interval", what, e);
      }
    };
  }

  private boolean smartDue() {
    Instant last = smartSampledAt;
    return last == null || !clock.instant().isBefore(last.plus(intervals.smart()));
  }

  /** Wiring for a {@link HostSampler}; everything defaults to this real host. */
  public static final class Builder {
    private final MeterRegistry registry;
    private HostFiles files = HostFiles.thisHost();
    private CommandRunner runner = CommandRunner.processes();
    private Clock clock = Clock.systemUTC();
    private SamplingIntervals intervals = SamplingIntervals.DEFAULT;
    private Duration smartTimeout = SmartSampler.DEFAULT_TIMEOUT;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    public Builder files(HostFiles files) {
      this.files = Objects.requireNonNull(files, "files");
      return this;
    }

    public Builder runner(CommandRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder intervals(SamplingIntervals intervals) {
      this.intervals = Objects.requireNonNull(intervals, "intervals");
      return this;
    }

    public Builder smartTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("smart time-out must be positive, got " + timeout);
      }
      this.smartTimeout = timeout;
      return this;
    }

    public HostSampler build() {
      return new HostSampler(this);
    }
  }
}
