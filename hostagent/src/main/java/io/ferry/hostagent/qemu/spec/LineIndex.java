package io.ferry.hostagent.qemu.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** The line of every field of a YAML/JSON document, by path ("disks[0].path"), for file:line messages. */
final class LineIndex {
  private final Map<String, Integer> lines = new HashMap<>();

  LineIndex(String text) throws IOException {
    try (JsonParser p = new YAMLFactory().createParser(text)) {
      Deque<String> path = new ArrayDeque<>();
      Deque<int[]> arrayIndex = new ArrayDeque<>();
      JsonToken t;
      String pendingField = null;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> {
            pendingField = p.currentName();
            lines.put(join(path, pendingField), p.currentLocation().getLineNr());
          }
          case START_OBJECT, START_ARRAY -> {
            path.addLast(element(pendingField, arrayIndex));
            arrayIndex.addLast(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
            pendingField = null;
          }
          case END_OBJECT, END_ARRAY -> {
            path.removeLast();
            arrayIndex.removeLast();
            if (!arrayIndex.isEmpty() && arrayIndex.peekLast()[0] >= 0) {
              arrayIndex.peekLast()[0]++;
            }
          }
          default -> {
            if (pendingField == null && !arrayIndex.isEmpty() && arrayIndex.peekLast()[0] >= 0) {
              lines.put(join(path, "[" + arrayIndex.peekLast()[0] + "]"), p.currentLocation().getLineNr());
              arrayIndex.peekLast()[0]++;
            }
            pendingField = null;
          }
        }
      }
    }
  }

  private static String element(String field, Deque<int[]> arrayIndex) {
    if (field != null) {
      return field;
    }
    if (!arrayIndex.isEmpty() && arrayIndex.peekLast()[0] >= 0) {
      return "[" + arrayIndex.peekLast()[0] + "]";
    }
    return "";
  }

  private static String join(Deque<String> path, String last) {
    StringBuilder b = new StringBuilder();
    for (String s : path) {
      append(b, s);
    }
    append(b, last);
    return b.toString();
  }

  private static void append(StringBuilder b, String s) {
    if (s.isEmpty()) {
      return;
    }
    if (b.length() > 0 && !s.startsWith("[")) {
      b.append('.');
    }
    b.append(s);
  }

  /** The line of {@code path}, or of its closest enclosing field, or 1. */
  int line(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer l = lines.get(p);
      if (l != null) {
        return l;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? "" : p.substring(0, cut);
    }
    return 1;
  }
}
