package io.ferry.policies.model;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * When non-urgent moves (balance, consolidation) may run. An empty {@code nonUrgent} list means any time.
 *
 * @param timezone  zone in which the windows are read
 * @param nonUrgent the windows, e.g. {@code Mon-Fri 20:00-06:00}
 */
public record Windows(ZoneId timezone, List<TimeWindow> nonUrgent) {

    public static final Windows ANY_TIME = new Windows(ZoneId.of("UTC"), List.of());

    public Windows {
        Objects.requireNonNull(timezone, "windows.timezone");
        nonUrgent = List.copyOf(nonUrgent);
    }

    /** Whether a non-urgent move may start at {@code now}. */
    public boolean allowsNonUrgentAt(Instant now) {
        if (nonUrgent.isEmpty()) {
            return true;
        }
        ZonedDateTime local = now.atZone(timezone);
        return nonUrgent.stream().anyMatch(w -> w.contains(local.getDayOfWeek(), local.toLocalTime()));
    }
}
