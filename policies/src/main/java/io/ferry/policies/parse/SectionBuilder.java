package io.ferry.policies.parse;

import java.util.function.Supplier;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Builds a validated record from values already read, turning a constructor's objection to a combination of
 * values (band low above high, weights not summing to 1) into a positioned error.
 */
final class SectionBuilder {
    private SectionBuilder() {
    }

    /**
     * @param errorsBefore error count before the section's fields were read: when a field was already wrong the
     *                     combination check is not reported again (its input was a substituted default)
     */
    static <T> T build(Errors errors, int errorsBefore, Node position, T fallback, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            if (errors.count() == errorsBefore) {
                // Record messages name fields relative to spec, e.g. "consolidation.band.low".
                String message = "spec." + e.getMessage();
                if (position == null) {
                    errors.atStart(message);
                } else {
                    errors.at(position, message);
                }
            }
            return fallback;
        }
    }
}
