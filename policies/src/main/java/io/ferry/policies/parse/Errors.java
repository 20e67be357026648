package io.ferry.policies.parse;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects errors of one file, turning SnakeYAML's 0-based marks into 1-based line:column. */
final class Errors {
    private final String file;
    private final List<PolicyError> list = new ArrayList<>();

    Errors(String file) {
        this.file = file;
    }

    void at(Node node, String message) {
        at(node.getStartMark(), message);
    }

    void at(Mark mark, String message) {
        if (mark == null) {
            atStart(message);
        } else {
            list.add(new PolicyError(file, mark.getLine() + 1, mark.getColumn() + 1, message));
        }
    }

    void atStart(String message) {
        list.add(new PolicyError(file, 1, 1, message));
    }

    int count() {
        return list.size();
    }

    List<PolicyError> list() {
        return list;
    }
}
