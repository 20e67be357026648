package io.ferry.policies.parse;

import io.ferry.policies.model.BalanceSettings;
import io.ferry.policies.model.ConsolidationSettings;
import io.ferry.policies.model.FailureAvoidanceSettings;
import io.ferry.policies.model.Limits;
import io.ferry.policies.model.MigrationSettings;
import io.ferry.policies.model.MigrationStrategy;
import io.ferry.policies.model.PowerModel;
import io.ferry.policies.model.SmartSettings;
import io.ferry.policies.model.TemperatureSettings;
import io.ferry.policies.units.ByteSizes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads the numeric sections of {@code spec}: balance, consolidation, failure avoidance, limits, migration, power. */
final class SpecReader {
    private SpecReader() {
    }

    static BalanceSettings balance(MappingReader r) {
        BalanceSettings d = BalanceSettings.DEFAULTS;
        int before = r.errors().count();
        boolean enabled = r.bool("enabled", d.enabled());
        int aggressiveness = (int) r.integer("aggressiveness", d.aggressiveness(), 1, 5);
        MappingReader weights = r.mapping("weights");
        double cpu = weights.number("cpu", d.cpuWeight(), 0, 1);
        double memory = weights.number("memory", weights.has("cpu") && !weights.has("memory")
                ? 1 - cpu : d.memoryWeight(), 0, 1);
        weights.finish();
        double maxUtil = r.number("maxHostUtilization", d.maxHostUtilization(), 0.05, 1);
        Duration sustained = r.duration("sustainedFor", d.sustainedFor());
        double minImprovement = r.number("minImprovement", d.minImprovement(), 0, 1);
        r.finish();
        return SectionBuilder.build(r.errors(), before, r.positionOf("weights"), d, () -> new BalanceSettings(
                enabled, aggressiveness, cpu, memory, maxUtil, sustained, minImprovement));
    }

    static ConsolidationSettings consolidation(MappingReader r) {
        ConsolidationSettings d = ConsolidationSettings.DEFAULTS;
        int before = r.errors().count();
        boolean enabled = r.bool("enabled", d.enabled());
        MappingReader band = r.mapping("band");
        double low = band.number("low", d.bandLow(), 0, 1);
        double high = band.number("high", d.bandHigh(), 0, 1);
        band.finish();
        int minHostsOn = (int) r.integer("minHostsOn", d.minHostsOn(), 1, Integer.MAX_VALUE);
        Duration powerOffAfter = r.duration("powerOffAfter", d.powerOffAfter());
        Duration lookback = r.duration("powerOnLookback", d.powerOnLookback());
        if (lookback.isZero()) {
            r.errors().at(r.positionOf("powerOnLookback"), r.child("powerOnLookback") + ": must be longer than 0s");
        }
        r.finish();
        return SectionBuilder.build(r.errors(), before, r.positionOf("band"), d, () -> new ConsolidationSettings(
                enabled, low, high, minHostsOn, powerOffAfter, lookback));
    }

    static FailureAvoidanceSettings failureAvoidance(MappingReader r) {
        FailureAvoidanceSettings d = FailureAvoidanceSettings.DEFAULTS;
        boolean enabled = r.bool("enabled", d.enabled());
        MappingReader t = r.mapping("temperature");
        int before = r.errors().count();
        double warn = t.number("warnC", d.temperature().warnC(), 0, 150);
        double evacuate = t.number("evacuateC", d.temperature().evacuateC(), 0, 150);
        Duration predict = t.duration("predictWindow", d.temperature().predictWindow());
        t.finish();
        TemperatureSettings temperature = SectionBuilder.build(r.errors(), before, r.positionOf("temperature"),
                d.temperature(), () -> new TemperatureSettings(warn, evacuate, predict));
        MappingReader s = r.mapping("smart");
        SmartSettings ds = d.smart();
        SmartSettings smart = new SmartSettings(
                s.bool("evacuateOnFailedHealth", ds.evacuateOnFailedHealth()),
                s.integer("reallocatedSectorsGrowth", ds.reallocatedSectorsGrowth(), 0, Long.MAX_VALUE),
                s.integer("pendingSectors", ds.pendingSectors(), 0, Long.MAX_VALUE),
                s.bool("nvmeCriticalWarning", ds.nvmeCriticalWarning()),
                (int) s.integer("nvmePercentageUsed", ds.nvmePercentageUsed(), 0, 255));
        s.finish();
        r.finish();
        return new FailureAvoidanceSettings(enabled, temperature, smart);
    }

    static Limits limits(MappingReader r) {
        Limits d = Limits.DEFAULTS;
        int before = r.errors().count();
        int cluster = (int) r.integer("maxConcurrentMigrations", d.maxConcurrentMigrations(), 1, 100_000);
        int perHost = (int) r.integer("maxConcurrentPerHost", Math.min(d.maxConcurrentPerHost(), cluster), 1,
                100_000);
        int perRound = (int) r.integer("maxMovesPerRound", d.maxMovesPerRound(), 1, 100_000);
        Duration cooldown = r.duration("vmCooldown", d.vmCooldown());
        r.finish();
        return SectionBuilder.build(r.errors(), before, r.positionOf("maxConcurrentPerHost"), d,
                () -> new Limits(cluster, perHost, perRound, cooldown));
    }

    static MigrationSettings migration(MappingReader r) {
        MigrationSettings d = MigrationSettings.DEFAULTS;
        int before = r.errors().count();
        MigrationStrategy strategy = d.strategy();
        Optional<String> strategyText = r.value("strategy").map(n -> r.string("strategy", ""));
        if (strategyText.isPresent()) {
            Optional<MigrationStrategy> parsed = MigrationStrategy.fromYaml(strategyText.get());
            List<String> names = Arrays.stream(MigrationStrategy.values()).map(MigrationStrategy::yamlName).toList();
            if (parsed.isPresent()) {
                strategy = parsed.get();
            } else if (r.errors().count() == before) {
                r.errors().at(r.positionOf("strategy"), r.child("strategy") + ": unknown strategy '"
                        + strategyText.get() + "' (expected one of " + String.join(", ", names) + ")"
                        + Suggestions.didYouMean(strategyText.get(), names));
            }
        }
        Duration maxDowntime = r.duration("maxDowntime", d.maxDowntime());
        if (maxDowntime.isZero()) {
            r.errors().at(r.positionOf("maxDowntime"), r.child("maxDowntime") + ": must be longer than 0ms");
        }
        long bandwidth = r.unitValue("bandwidth", d.bandwidthBytesPerSecond(), ByteSizes::parseRate, "rate",
                ByteSizes.RATE_SYNTAX);
        if (bandwidth < (1L << 20)) {
            r.errors().at(r.positionOf("bandwidth"), r.child("bandwidth") + ": must be at least 1MiB/s");
        }
        boolean encrypted = r.bool("encrypted", d.encrypted());
        boolean allowPostCopy = r.bool("allowPostCopy", d.allowPostCopy());
        boolean withStorage = r.bool("withStorage", d.withStorage());
        r.finish();
        MigrationStrategy chosen = strategy;
        return SectionBuilder.build(r.errors(), before, r.positionOf("strategy"), d,
                () -> new MigrationSettings(chosen, maxDowntime, bandwidth, encrypted, allowPostCopy,
                        withStorage));
    }

    static PowerModel power(MappingReader r) {
        PowerModel d = PowerModel.DEFAULTS;
        int before = r.errors().count();
        double idle = r.number("idleWatts", d.idleWatts(), 0, 100_000);
        double max = r.number("maxWatts", d.maxWatts(), 0, 100_000);
        double standby = r.number("standbyWatts", d.standbyWatts(), 0, 100_000);
        r.finish();
        return SectionBuilder.build(r.errors(), before, r.node(), d, () -> new PowerModel(idle, max, standby));
    }
}
