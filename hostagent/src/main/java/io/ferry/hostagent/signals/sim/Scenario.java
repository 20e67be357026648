package io.ferry.hostagent.signals.sim;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed, validated scenario file (format in docs/scenarios.md): a name and events sorted by time (ties keep
 * file order). Play it with a {@link ScenarioPlayer}.
 */
public record Scenario(String name, List<ScenarioEvent> events) {
  public Scenario {
    events = events.stream().sorted(Comparator.comparing(ScenarioEvent::at)).toList();
  }

  /** The hosts events name explicitly (not {@code "*"}), so a caller can check they exist. */
  public Set<String> namedHosts() {
    Set<String> hosts = new TreeSet<>();
    for (ScenarioEvent e : events) {
      if (!ScenarioEvent.ALL_HOSTS.equals(e.host())) {
        hosts.add(e.host());
      }
    }
    return hosts;
  }
}
