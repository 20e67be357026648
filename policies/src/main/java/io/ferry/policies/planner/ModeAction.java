package io.ferry.policies.planner;

import io.ferry.policies.snapshot.HostMode;

/** A planned change of a host's scheduling mode (failure avoidance puts hosts in quarantine). */
public record ModeAction(String host, HostMode mode, String reason) {
}
