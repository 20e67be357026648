package io.ferry.policies.snapshot;

import java.util.List;
import java.util.Optional;

/** A snapshot when the JSON is valid, else every problem found, each naming the file and the JSON path. */
public record SnapshotReadResult(Optional<Snapshot> snapshot, List<String> errors) {
    public SnapshotReadResult {
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
