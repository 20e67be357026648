package io.ferry.hostagent.signals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The host's {@code /proc} and {@code /sys} as seen from a root directory: {@code "/"} in production, a fixture
 * tree in tests. Paths are given as the host sees them ({@code "/proc/stat"}) and every failure comes back as an
 * {@link Unavailable} naming that host path, never the fixture path.
 */
public final class HostFiles {
  /** Reads one file; injectable so tests can simulate what a root-owned test run cannot (permission denied). */
  @FunctionalInterface
  public interface Reader {
    String read(Path file) throws IOException;
  }

  private final Path root;
  private final Reader reader;

  private HostFiles(Path root, Reader reader) {
    this.root = Objects.requireNonNull(root, "root");
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  /** The files under {@code root}, read with {@link Files#readString}. */
  public static HostFiles at(Path root) {
    return new HostFiles(root, Files::readString);
  }

  /** This machine. */
  public static HostFiles thisHost() {
    return at(Path.of("/"));
  }

  /** The same root read through another reader. */
  public HostFiles withReader(Reader other) {
    return new HostFiles(root, other);
  }

  /** The real location of a host path such as {@code "/proc/stat"}. */
  Path resolve(String hostPath) {
    return root.resolve(hostPath.startsWith("/") ? hostPath.substring(1) : hostPath);
  }

  String read(String hostPath) throws Unavailable {
    try {
      return reader.read(resolve(hostPath));
    } catch (NoSuchFileException e) {
      throw new Unavailable(Unavailable.Kind.MISSING, "missing: " + hostPath);
    } catch (AccessDeniedException e) {
      throw new Unavailable(Unavailable.Kind.PERMISSION_DENIED, "permission denied: " + hostPath);
    } catch (IOException | RuntimeException e) {
      // A directory where a file belongs, an I/O error from a driver, a reader that failed: all unreadable.
      throw new Unavailable(Unavailable.Kind.UNREADABLE, "cannot read " + hostPath + ": " + e.getMessage());
    }
  }

  /** The file, or null when it does not exist or cannot be read (for optional attributes such as labels). */
  String readOptional(String hostPath) {
    try {
      return read(hostPath);
    } catch (Unavailable e) {
      return null;
    }
  }

  /** Names of the entries of a host directory whose name starts with {@code prefix}, sorted; empty if absent. */
  List<String> list(String hostDir, String prefix) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(resolve(hostDir), prefix + "*")) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    } catch (IOException e) {
      return List.of();
    }
    Collections.sort(names);
    return names;
  }
}
