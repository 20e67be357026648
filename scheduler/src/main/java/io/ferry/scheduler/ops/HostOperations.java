package io.ferry.scheduler.ops;

import io.ferry.scheduler.executor.MigrationExecutor;
import io.ferry.scheduler.executor.MigrationRequest;
import io.ferry.scheduler.executor.SubmitResult;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.modes.HostModes;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.scheduler.state.HostState;
import io.ferry.scheduler.executor.AgentClients;
import io.ferry.v1.HostMode;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationRecord;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.SetHostModeRequest;
import io.ferry.v1.VmUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host modes: drain (maintenance: evacuate every VM within the executor's limits), undrain, quarantine; and keeping
 * each agent's mode in line with what the scheduler wants. Runs on the scheduler loop.
 */
public final class HostOperations {
  private static final Logger log = LoggerFactory.getLogger(HostOperations.class);

  private final ClusterState state;
  private final MigrationExecutor executor;
  private final Leadership leadership;
  private final SchedulerLoop loop;
  private final AgentClients agents;
  private final String issuer;
  private HostModes modes;
  private final Set<String> modeCallsInFlight = new HashSet<>();

  /** What a drain request did. */
  public record DrainOutcome(boolean known, List<String> migrationIds, List<String> notPlaced, int vmsLeft) {}

  public HostOperations(ClusterState state, MigrationExecutor executor, Leadership leadership, SchedulerLoop loop,
                        AgentClients agents, String issuer) {
    this.state = state;
    this.executor = executor;
    this.leadership = leadership;
    this.loop = loop;
    this.agents = agents;
    this.issuer = issuer;
  }

  public void onTermStart(HostModes modes) {
    this.modes = modes;
    modes.load();
    modes.all().forEach((host, w) -> state.wantMode(host, w.mode()));
  }

  public void onTermEnd() {
    modes = null;
  }

  public Optional<HostModes.Wanted> wanted(String host) {
    return modes == null ? Optional.empty() : Optional.of(modes.wanted(host));
  }

  /** Puts the host in maintenance and plans a migration for each of its VMs. Idempotent. */
  public DrainOutcome drain(String host, String requestId) {
    if (state.host(host).isEmpty()) {
      return new DrainOutcome(false, List.of(), List.of(), 0);
    }
    if (modes.wanted(host).mode() != HostMode.HOST_MODE_MAINTENANCE) {
      modes.set(host, HostMode.HOST_MODE_MAINTENANCE, "drained by " + issuerOf(requestId));
      state.wantMode(host, HostMode.HOST_MODE_MAINTENANCE);
      log.info("host {} goes into maintenance: evacuating its VMs, no new VMs will be placed there", host);
    }
    return evacuate(host, requestId);
  }

  private DrainOutcome evacuate(String host, String requestId) {
    HostState h = state.host(host).orElseThrow();
    Set<String> migrating = new HashSet<>();
    executor.unfinished().forEach(m -> migrating.add(m.getStatus().getVm()));
    List<String> ids = new ArrayList<>();
    List<String> notPlaced = new ArrayList<>();
    for (MigrationRecord m : executor.unfinished()) {
      if (m.getStatus().getSourceHost().equals(host)) {
        ids.add(m.getStatus().getMigrationId());
      }
    }
    for (VmUsage vm : h.vms()) {
      if (migrating.contains(vm.getName())) {
        continue;
      }
      SubmitResult r = executor.submit(new MigrationRequest(vm.getName(), null, MigrationStrategy.AUTO,
          MigrationLimits.getDefaultInstance(), "drain", "host " + host + " is drained for maintenance", true,
          requestId.isEmpty() ? "" : requestId + "/" + vm.getName()));
      if (r instanceof SubmitResult.Accepted a) {
        ids.add(a.migration().getStatus().getMigrationId());
      } else if (r instanceof SubmitResult.Rejected rej) {
        notPlaced.add(vm.getName() + ": " + rej.reason());
      }
    }
    return new DrainOutcome(true, ids, notPlaced, h.vms().size());
  }

  /** Back to normal mode: the host takes VMs again (planned drain moves already in flight finish). */
  public boolean undrain(String host) {
    if (state.host(host).isEmpty()) {
      return false;
    }
    modes.set(host, HostMode.HOST_MODE_NORMAL, "");
    state.wantMode(host, HostMode.HOST_MODE_NORMAL);
    log.info("host {} is back in normal mode", host);
    return true;
  }

  public void quarantine(String host, String reason) {
    if (modes.wanted(host).mode() == HostMode.HOST_MODE_NORMAL) {
      modes.set(host, HostMode.HOST_MODE_QUARANTINE, reason);
      state.wantMode(host, HostMode.HOST_MODE_QUARANTINE);
      log.warn("host {} quarantined: {}; no new VMs will be placed there", host, reason);
    }
  }

  /** Every few seconds: keep evacuating drained hosts, and tell agents the mode the scheduler wants. */
  public void tick() {
    if (modes == null || !leadership.isLeader()) {
      return;
    }
    modes.all().forEach((host, wanted) -> {
      if (wanted.mode() == HostMode.HOST_MODE_MAINTENANCE && state.host(host).isPresent()) {
        evacuate(host, "");
      }
    });
    for (HostState h : state.hosts()) {
      HostMode want = modes.wanted(h.name()).mode();
      Optional<HostMode> reported = state.reportedMode(h.name());
      if (h.connected() && reported.isPresent() && reported.get() != want && !modeCallsInFlight.contains(h.name())) {
        sendMode(h, want, modes.wanted(h.name()).reason());
      }
    }
  }

  private void sendMode(HostState h, HostMode mode, String reason) {
    modeCallsInFlight.add(h.name());
    var future = agents.stub(h.facts().getAgentEndpoint()).setHostMode(SetHostModeRequest.newBuilder()
        .setMeta(RequestMeta.newBuilder().setEpoch(leadership.epoch()).setIssuer(issuer)
            .setRequestId("mode/" + h.name() + "/" + mode))
        .setMode(mode).setReason(reason).build());
    future.addListener(() -> loop.execute("mode " + h.name(), () -> modeCallsInFlight.remove(h.name())),
        Runnable::run);
  }

  private static String issuerOf(String requestId) {
    return requestId.isEmpty() ? "the scheduler" : "request " + requestId;
  }
}
