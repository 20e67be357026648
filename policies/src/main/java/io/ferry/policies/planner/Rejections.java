package io.ferry.policies.planner;

import io.ferry.policies.plugins.FilterResult;
import java.util.Map;
import java.util.TreeMap;

/** Why destinations were refused for one VM: a count per filter and the first reason of each, for explanations. */
final class Rejections {
    private final Map<String, Integer> counts = new TreeMap<>();
    private final Map<String, String> examples = new TreeMap<>();
    private int checked;

    void add(FilterResult result) {
        counts.merge(result.plugin(), 1, Integer::sum);
        examples.putIfAbsent(result.plugin(), result.reason());
    }

    void checked() {
        checked++;
    }

    int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("no destination among " + checked + " host(s) checked");
        counts.forEach((plugin, count) -> out.append("; ").append(plugin).append(" rejected ").append(count)
                .append(" (e.g. ").append(examples.get(plugin)).append(")"));
        return out.toString();
    }
}
