package io.ferry.scheduler.planning;

import com.google.protobuf.Duration;
import io.ferry.policies.model.SchedulingPolicy;
import io.ferry.policies.planner.ModeAction;
import io.ferry.policies.planner.Move;
import io.ferry.policies.planner.Plan;
import io.ferry.policies.planner.Planner;
import io.ferry.policies.planner.PlannerOptions;
import io.ferry.policies.planner.PowerAction;
import io.ferry.policies.snapshot.HostMode;
import io.ferry.policies.snapshot.Snapshot;
import io.ferry.scheduler.executor.AgentClients;
import io.ferry.scheduler.executor.MigrationExecutor;
import io.ferry.scheduler.executor.MigrationRequest;
import io.ferry.scheduler.executor.SubmitResult;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.ops.HostOperations;
import io.ferry.scheduler.policy.PolicyManager;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.v1.MigrationLimits;
import io.ferry.v1.MigrationStrategy;
import io.ferry.v1.PowerState;
import io.ferry.v1.RequestMeta;
import io.ferry.v1.SetPowerStateRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's planning round, every {@code spec.interval} of the running policy: snapshot the cluster, plan with
 * the same planner `ferry plan` uses, then act on the plan (quarantine hosts, journal migrations, power hosts) and
 * record every decision with its reason. Runs on the scheduler loop.
 */
public final class PlanningLoop {
  private static final Logger log = LoggerFactory.getLogger(PlanningLoop.class);

  private final ClusterState state;
  private final MigrationExecutor executor;
  private final HostOperations hostOps;
  private final PolicyManager policies;
  private final Leadership leadership;
  private final AgentClients agents;
  private final Decisions decisions;
  private final Clock clock;
  private final String issuer;
  private final Timer planTimer;
  private final AtomicReference<Double> imbalance = new AtomicReference<>(0.0);
  private final AtomicReference<Double> watts = new AtomicReference<>(0.0);
  private final Counter energySaved;
  private Instant lastRound = Instant.EPOCH;
  private Instant lastEnergyAt;
  private long round;

  public PlanningLoop(ClusterState state, MigrationExecutor executor, HostOperations hostOps, PolicyManager policies,
                      Leadership leadership, AgentClients agents, Decisions decisions, Clock clock, String issuer,
                      MeterRegistry registry) {
    this.state = state;
    this.executor = executor;
    this.hostOps = hostOps;
    this.policies = policies;
    this.leadership = leadership;
    this.agents = agents;
    this.decisions = decisions;
    this.clock = clock;
    this.issuer = issuer;
    this.planTimer = Timer.builder("ferry_plan_duration_seconds").description("Time to plan one round")
        .publishPercentileHistogram().register(registry);
    registry.gauge("ferry_cluster_imbalance_ratio", imbalance, AtomicReference::get);
    registry.gauge("ferry_cluster_estimated_watts", watts, AtomicReference::get);
    this.energySaved = Counter.builder("ferry_energy_saved_joules_total")
        .description("Energy saved by hosts in standby, from the policy's power model (idle minus standby watts)")
        .register(registry);
  }

  /** The limits every migration gets from the policy's {@code migration} section. */
  public static MigrationLimits limits(SchedulingPolicy policy) {
    return MigrationLimits.newBuilder()
        .setMaxDowntime(Duration.newBuilder().setSeconds(policy.migration().maxDowntime().getSeconds())
            .setNanos(policy.migration().maxDowntime().getNano()))
        .setBandwidthBytesPerSecond(policy.migration().bandwidthBytesPerSecond())
        .setAllowPostCopy(policy.migration().allowPostCopy()).setEncrypted(policy.migration().encrypted())
        .setWithStorage(policy.migration().withStorage())
        .build();
  }

  /** Called every second; plans when the policy's interval has passed. */
  public void tick() {
    if (!leadership.isLeader()) {
      return;
    }
    Instant now = clock.instant();
    SchedulingPolicy policy = policies.policy();
    accountEnergy(policy, now);
    if (java.time.Duration.between(lastRound, now).compareTo(policy.interval()) < 0
        || java.time.Duration.between(state.lastJoinAt(), now).compareTo(policy.interval()) < 0) {
      return; // not yet time, or hosts are still joining: plan on a settled picture
    }
    lastRound = now;
    plan(policy, now);
  }

  /** A dry run on the live cluster: plans, executes nothing. */
  public Plan dryRun(SchedulingPolicy policy, boolean explain) {
    return Planner.plan(snapshot(), policy, new PlannerOptions(explain));
  }

  public Snapshot snapshot() {
    return SnapshotBuilder.build(state, executor.unfinished(), executor::lastMigratedAt, clock.instant());
  }

  private void plan(SchedulingPolicy policy, Instant now) {
    if (state.hosts().isEmpty()) {
      return;
    }
    round++;
    Snapshot snapshot = snapshot();
    long t0 = System.nanoTime();
    Plan plan = Planner.plan(snapshot, policy, PlannerOptions.DEFAULT);
    planTimer.record(java.time.Duration.ofNanos(System.nanoTime() - t0));
    imbalance.set(plan.before().imbalance());
    watts.set(plan.before().estimatedWatts());
    for (ModeAction m : plan.modes()) {
      if (m.mode() == HostMode.QUARANTINE) {
        if (hostOps.wanted(m.host()).map(w -> w.mode() == io.ferry.v1.HostMode.HOST_MODE_NORMAL).orElse(false)) {
          hostOps.quarantine(m.host(), m.reason());
          decisions.add("mode", m.host(), "quarantine", m.reason());
        }
      }
    }
    MigrationLimits limits = limits(policy);
    for (Move move : plan.moves()) {
      SubmitResult r = executor.submit(new MigrationRequest(move.vm(), move.to(), strategy(policy), limits,
          move.reason().jsonName(), move.explanation(), move.urgent(),
          "plan-" + leadership.epoch() + "-" + round + "-" + move.vm()));
      if (r instanceof SubmitResult.Accepted) {
        decisions.add("move", move.vm() + " " + move.from() + " -> " + move.to(), move.reason().jsonName(),
            move.explanation());
      } else if (r instanceof SubmitResult.Rejected rej) {
        log.info("planned move of {} to {} not started: {}", move.vm(), move.to(), rej.reason());
      }
    }
    for (PowerAction p : plan.power()) {
      PowerState target = p.action() == PowerAction.Type.STANDBY ? PowerState.POWER_STANDBY : PowerState.POWER_ON;
      state.host(p.host()).ifPresent(h -> {
        agents.stub(h.facts().getAgentEndpoint()).setPowerState(SetPowerStateRequest.newBuilder()
            .setMeta(RequestMeta.newBuilder().setEpoch(leadership.epoch()).setIssuer(issuer)
                .setRequestId("power-" + leadership.epoch() + "-" + round + "-" + p.host()))
            .setTarget(target).setReason(p.reason()).build());
        decisions.add("power", p.host(), p.action().jsonName(), p.reason());
      });
    }
  }

  private void accountEnergy(SchedulingPolicy policy, Instant now) {
    if (lastEnergyAt != null) {
      double seconds = java.time.Duration.between(lastEnergyAt, now).toMillis() / 1000.0;
      long standby = state.hosts().stream().filter(h -> h.power() == PowerState.POWER_STANDBY).count();
      double savedWatts = standby * Math.max(0, policy.power().idleWatts() - policy.power().standbyWatts());
      energySaved.increment(savedWatts * seconds);
    }
    lastEnergyAt = now;
  }

  private static MigrationStrategy strategy(SchedulingPolicy policy) {
    return switch (policy.migration().strategy()) {
      case PRE_COPY -> MigrationStrategy.PRE_COPY;
      case POST_COPY -> MigrationStrategy.POST_COPY;
      case AUTO_CONVERGE -> MigrationStrategy.AUTO_CONVERGE;
      case AUTO -> MigrationStrategy.AUTO;
    };
  }

  /** A new term: the first round comes one interval after the first reports, on a full picture. */
  public void reset() {
    lastRound = clock.instant();
    lastEnergyAt = null;
  }
}
