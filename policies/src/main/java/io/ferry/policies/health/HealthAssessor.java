package io.ferry.policies.health;

import io.ferry.policies.units.Durations;
import io.ferry.policies.model.FailureAvoidanceSettings;
import io.ferry.policies.model.SmartSettings;
import io.ferry.policies.model.TemperatureSettings;
import io.ferry.policies.snapshot.Disk;
import io.ferry.policies.snapshot.Host;
import io.ferry.policies.snapshot.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Failure avoidance's judgement of one host from its temperature series and disk health. Disk failures outrank
 * heat (data at risk); an evacuation outranks a quarantine. Pure: depends only on the host, the settings and now.
 */
public final class HealthAssessor {
    private final FailureAvoidanceSettings settings;

    public HealthAssessor(FailureAvoidanceSettings settings) {
        this.settings = settings;
    }

    public HealthVerdict assess(Host host, Instant now) {
        if (!settings.enabled()) {
            return HealthVerdict.HEALTHY;
        }
        HealthVerdict smart = smart(host);
        if (smart.action() == HealthVerdict.Action.EVACUATE) {
            return smart;
        }
        return temperature(host, now);
    }

    private HealthVerdict smart(Host host) {
        SmartSettings s = settings.smart();
        for (Disk d : host.disks()) {
            String disk = "disk " + d.device() + ": ";
            if (s.evacuateOnFailedHealth() && !d.smartPassed()) {
                return HealthVerdict.evacuate(HealthVerdict.Trigger.SMART, disk + "SMART overall health FAILED");
            }
            List<Sample> realloc = d.reallocatedSectors().samples();
            if (s.reallocatedSectorsGrowth() > 0 && realloc.size() >= 2) {
                double growth = realloc.get(realloc.size() - 1).value() - realloc.get(0).value();
                if (growth >= s.reallocatedSectorsGrowth()) {
                    return HealthVerdict.evacuate(HealthVerdict.Trigger.SMART, String.format(Locale.ROOT,
                            "%sreallocated sectors grew by %.0f since %s (threshold %d)", disk, growth,
                            realloc.get(0).at(), s.reallocatedSectorsGrowth()));
                }
            }
            if (s.pendingSectors() > 0 && d.pendingSectors() >= s.pendingSectors()) {
                return HealthVerdict.evacuate(HealthVerdict.Trigger.SMART, disk + d.pendingSectors()
                        + " pending sectors (threshold " + s.pendingSectors() + ")");
            }
            if (s.nvmeCriticalWarning() && d.nvmeCriticalWarning()) {
                return HealthVerdict.evacuate(HealthVerdict.Trigger.SMART, disk + "NVMe critical warning set");
            }
            if (s.nvmePercentageUsed() > 0 && d.nvmePercentageUsed() >= s.nvmePercentageUsed()) {
                return HealthVerdict.evacuate(HealthVerdict.Trigger.SMART, disk + "NVMe " + d.nvmePercentageUsed()
                        + "% used (threshold " + s.nvmePercentageUsed() + "%)");
            }
        }
        return HealthVerdict.HEALTHY;
    }

    private HealthVerdict temperature(Host host, Instant now) {
        TemperatureSettings t = settings.temperature();
        OptionalDouble latest = host.temperatureC().latest();
        if (latest.isEmpty()) {
            return HealthVerdict.HEALTHY;
        }
        double current = latest.getAsDouble();
        if (current > t.evacuateC()) {
            return HealthVerdict.evacuate(HealthVerdict.Trigger.TEMPERATURE, String.format(Locale.ROOT,
                    "temperature %.1f C > evacuateC %.1f C", current, t.evacuateC()));
        }
        if (!t.predictWindow().isZero()) {
            // Fit the trend over as much recent history as we look ahead.
            List<Sample> recent = host.temperatureC().since(now.minus(t.predictWindow()));
            OptionalDouble predicted = Trend.predict(recent, now.plus(t.predictWindow()));
            if (predicted.isPresent() && predicted.getAsDouble() > t.evacuateC()) {
                return HealthVerdict.evacuate(HealthVerdict.Trigger.TEMPERATURE, String.format(Locale.ROOT,
                        "temperature %.1f C rising, predicted %.1f C within %s > evacuateC %.1f C", current,
                        predicted.getAsDouble(), Durations.format(t.predictWindow()), t.evacuateC()));
            }
        }
        if (current > t.warnC()) {
            return HealthVerdict.quarantine(HealthVerdict.Trigger.TEMPERATURE, String.format(Locale.ROOT,
                    "temperature %.1f C > warnC %.1f C", current, t.warnC()));
        }
        return HealthVerdict.HEALTHY;
    }
}
