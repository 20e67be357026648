package io.ferry.policies.plugins;

/**
 * Outcome of a hard constraint: pass, or reject with the plugin's name and a reason carrying the numbers.
 */
public record FilterResult(boolean passed, String plugin, String reason) {
    public static final FilterResult PASS = new FilterResult(true, "", "");

    public static FilterResult reject(String plugin, String reason) {
        return new FilterResult(false, plugin, reason);
    }

    @Override
    public String toString() {
        return passed ? "pass" : plugin + ": " + reason;
    }
}
