package io.ferry.policies.planner;

/** Why a VM moves, by its JSON spelling. Evacuations and drains are urgent. */
public enum MoveReason {
    BALANCE("balance", false),
    CONSOLIDATE("consolidate", false),
    EVACUATE_TEMPERATURE("evacuate-temperature", true),
    EVACUATE_SMART("evacuate-smart", true),
    DRAIN("drain", true);

    private final String jsonName;
    private final boolean urgent;

    MoveReason(String jsonName, boolean urgent) {
        this.jsonName = jsonName;
        this.urgent = urgent;
    }

    public String jsonName() {
        return jsonName;
    }

    public boolean urgent() {
        return urgent;
    }
}
