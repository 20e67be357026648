package io.ferry.hostagent.signals;

import io.ferry.v1.HostFacts;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a scheduler needs to know to keep migrations compatible: CPU model and flags ({@code /proc/cpuinfo}),
 * core count, memory, kernel release and the QEMU version. HostFacts has no status field, so a fact that cannot
 * be read is the word {@value #UNAVAILABLE} (strings) or 0 (numbers); never an exception.
 */
public final class HostFactsSampler {
  public static final String UNAVAILABLE = "unavailable";
  private static final Pattern QEMU_VERSION = Pattern.compile("QEMU emulator version (\\S+)");
  private static final Duration QEMU_TIMEOUT = Duration.ofSeconds(10);

  private final HostFiles files;
  private final CommandRunner runner;

  public HostFactsSampler(HostFiles files, CommandRunner runner) {
    this.files = files;
    this.runner = runner;
  }

  public HostFacts sample() {
    HostFacts.Builder facts = HostFacts.newBuilder()
        .setName(orUnavailable("/proc/sys/kernel/hostname"))
        .setKernel(orUnavailable("/proc/sys/kernel/osrelease"))
        .setHypervisor("qemu")
        .setHypervisorVersion(qemuVersion());
    String cpuinfo = files.readOptional("/proc/cpuinfo");
    if (cpuinfo == null) {
      facts.setCpuModel(UNAVAILABLE);
    } else {
      readCpuinfo(cpuinfo, facts);
    }
    String meminfo = files.readOptional("/proc/meminfo");
    if (meminfo != null) {
      try {
        facts.setMemoryBytes(MemorySampler.parseKib(meminfo).getOrDefault("MemTotal", 0L) * 1024);
      } catch (Unavailable e) {
        facts.setMemoryBytes(0);
      }
    }
    return facts.build();
  }

  private static void readCpuinfo(String cpuinfo, HostFacts.Builder facts) {
    String model = null;
    List<String> flags = List.of();
    int processors = 0;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      switch (key) {
        case "processor" -> processors++;
        case "model name" -> model = model == null ? value : model;
        // Every processor lists the same flags on the hosts Ferry supports; the first block is enough.
        case "flags" -> flags = flags.isEmpty() ? Arrays.asList(value.split("\\s+")) : flags;
        default -> { }
      }
    }
    facts.setCpuModel(model == null ? UNAVAILABLE : model).addAllCpuFeatures(flags).setCpuCores(processors);
  }

  private String qemuVersion() {
    CommandResult result = runner.run(List.of("qemu-system-x86_64", "--version"), QEMU_TIMEOUT);
    if (!result.completed() || result.exitCode() != 0) {
      return UNAVAILABLE;
    }
    Matcher m = QEMU_VERSION.matcher(result.stdout());
    return m.find() ? m.group(1) : UNAVAILABLE;
  }

  private String orUnavailable(String hostPath) {
    String text = files.readOptional(hostPath);
    return text == null || text.isBlank() ? UNAVAILABLE : text.trim();
  }
}
