package io.ferry.policies.parse;

import io.ferry.policies.model.SchedulingPolicy;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of reading one policy file: the policy when the file has no error, and every error found (not
 * just the first). A policy is present if and only if {@code errors} is empty.
 */
public record ParseResult(Optional<SchedulingPolicy> policy, List<PolicyError> errors) {

    public ParseResult {
        errors = List.copyOf(errors);
        if (policy.isPresent() != errors.isEmpty()) {
            throw new IllegalArgumentException("a policy is returned exactly when there is no error");
        }
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
