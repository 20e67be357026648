package io.ferry.scheduler.policy;

import io.ferry.policies.parse.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A policy file, or a directory holding exactly one policy file, that the scheduler watches: when its content
 * changes, the new text is offered for validation. Works by polling modification times (inotify does not see
 * edits on many network file systems and ConfigMap volumes).
 */
public final class PolicySource {
  /** What the source holds now: the file and its text, or a problem with the source itself. */
  public record Read(Path file, String yaml, String problem) {}

  private final Path path;
  private FileTime lastSeen;
  private Path lastFile;

  public PolicySource(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The source's content if it changed since the last call (or on the first call). */
  public Optional<Read> changed() {
    Path file;
    try {
      file = resolve();
    } catch (IOException e) {
      return Optional.of(new Read(path, null, e.getMessage()));
    }
    try {
      FileTime t = Files.getLastModifiedTime(file);
      if (t.equals(lastSeen) && file.equals(lastFile)) {
        return Optional.empty();
      }
      lastSeen = t;
      lastFile = file;
      return Optional.of(new Read(file, Files.readString(file), null));
    } catch (IOException e) {
      return Optional.of(new Read(file, null, "cannot read " + file + ": " + e.getMessage()));
    }
  }

  private Path resolve() throws IOException {
    if (!Files.exists(path)) {
      throw new IOException("policy path " + path + " does not exist");
    }
    if (!Files.isDirectory(path)) {
      return path;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(path)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    if (files.size() != 1) {
      throw new IOException("policy directory " + path + " holds " + files.size() + " policy files "
          + files.stream().map(p -> p.getFileName().toString()).toList() + ": keep exactly one *.yaml there");
    }
    return files.get(0);
  }

  static String firstError(ParseResult r) {
    return r.errors().isEmpty() ? "" : r.errors().get(0).toString()
        + (r.errors().size() > 1 ? " (and " + (r.errors().size() - 1) + " more)" : "");
  }
}
