package io.ferry.hostagent.signals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ferry.common.FerryException;
import io.ferry.v1.HostFacts;
import io.ferry.v1.HostSignals;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ferry signals} prints: the signals of this machine as the agent's samplers see them, as JSON or as an
 * aligned table, each unavailable signal with its reason. CPU and network rates need two samples, so the first
 * output comes about one second after the start.
 */
public final class SignalsPrinter {
  /** Time between the two samples the first output needs for its CPU and network deltas. */
  static final Duration WARM_UP = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private SignalsPrinter() {}

  /**
   * Samples this machine and prints to {@code out}: once, or every {@code interval} until the thread is interrupted.
   *
   * @param format {@code json} (a JSON object with {@code facts} and {@code signals}) or {@code table}
   * @return 0 when CPU and memory could be read (they always can on a working Linux host), 1 when not
   * @throws FerryException for an unknown format or a non-positive interval
   */
  public static int print(boolean once, String format, PrintStream out, Duration interval) {
    return print(HostSampler.forThisHost(new SimpleMeterRegistry()), once, format, out, interval);
  }

  static int print(HostSampler sampler, boolean once, String format, PrintStream out, Duration interval) {
    if (!"json".equals(format) && !"table".equals(format)) {
      throw new FerryException("unknown format '" + format + "': use json or table");
    }
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new FerryException("the interval must be positive, got " + interval);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ferry-signals");
      t.setDaemon(true);
      return t;
    });
    HostFacts facts = sampler.facts();
    try {
      sampler.sample();
      HostSignals first = timer.schedule(sampler::sample, WARM_UP.toMillis(), TimeUnit.MILLISECONDS).get();
      out.print(render(facts, first, format));
      out.flush();
      if (once) {
        return exitCode(first);
      }
      ScheduledFuture<?> loop = timer.scheduleAtFixedRate(() -> {
        if ("table".equals(format)) {
          out.println(); // one blank line between consecutive tables
        }
        out.print(render(facts, sampler.sample(), format));
        out.flush();
      }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
      loop.get();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return sampler.latest() == null ? 1 : exitCode(sampler.latest());
    } catch (ExecutionException e) {
      throw new FerryException("sampling failed: " + e.getCause(), e.getCause());
    } finally {
      timer.shutdownNow();
    }
  }

  static String render(HostFacts facts, HostSignals signals, String format) {
    if ("table".equals(format)) {
      return SignalsTable.render(facts, signals);
    }
    // Zero-valued fields are printed too, so "available": false is explicit rather than absent.
    JsonFormat.Printer json = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    try {
      ObjectNode both = JSON.createObjectNode();
      both.set("facts", JSON.readTree(json.print(facts)));
      both.set("signals", JSON.readTree(json.print(signals)));
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(both) + System.lineSeparator();
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("host signals have no Any fields; printing them as JSON cannot fail", e);
    }
  }

  private static int exitCode(HostSignals signals) {
    return signals.getCpu().getStatus().getAvailable() && signals.getMemory().getStatus().getAvailable() ? 0 : 1;
  }
}
