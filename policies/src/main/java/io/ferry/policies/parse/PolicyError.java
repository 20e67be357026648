package io.ferry.policies.parse;

/**
 * One problem in a policy file, at a 1-based line and column. {@link #toString()} gives the conventional
 * {@code file:line:column: message} form that editors and CI logs understand.
 */
public record PolicyError(String file, int line, int column, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
