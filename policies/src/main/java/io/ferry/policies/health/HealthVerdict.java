package io.ferry.policies.health;

/**
 * What failure avoidance concluded about one host.
 *
 * @param action      what to do with the host
 * @param trigger     which signal decided (null when healthy)
 * @param explanation the signal and its numbers, e.g. "temperature 93.0 C > evacuateC 90.0 C"
 */
public record HealthVerdict(Action action, Trigger trigger, String explanation) {
    public static final HealthVerdict HEALTHY = new HealthVerdict(Action.NONE, null, "healthy");

    /** Escalating responses. */
    public enum Action { NONE, QUARANTINE, EVACUATE }

    /** Signal families; they map to the move reasons evacuate-temperature and evacuate-smart. */
    public enum Trigger { TEMPERATURE, SMART }

    public static HealthVerdict quarantine(Trigger trigger, String explanation) {
        return new HealthVerdict(Action.QUARANTINE, trigger, explanation);
    }

    public static HealthVerdict evacuate(Trigger trigger, String explanation) {
        return new HealthVerdict(Action.EVACUATE, trigger, explanation);
    }
}
