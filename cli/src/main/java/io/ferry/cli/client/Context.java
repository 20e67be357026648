package io.ferry.cli.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ferry.common.FerryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The current cluster for client commands, like kubectl's current context: written by {@code ferry up}, read by
 * {@code ferry status} and friends when no {@code --zk} is given. Lives in {@code ~/.ferry/context.json}
 * ({@code FERRY_CONTEXT} or the system property {@code ferry.context} override the path).
 *
 * @param certs certificate directory, or null with {@code insecure}
 */
public record Context(String zk, String cluster, String certs, boolean insecure, String admin) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static Path path() {
    String override = System.getProperty("ferry.context", System.getenv("FERRY_CONTEXT"));
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return Path.of(System.getProperty("user.home"), ".ferry", "context.json");
  }

  public static Optional<Context> load() {
    Path p = path();
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(p.toFile(), Context.class));
    } catch (IOException e) {
      throw new FerryException("cannot read the context file " + p + ": " + e.getMessage()
          + " (delete it, or pass --zk and --cluster)");
    }
  }

  public void save() {
    Path p = path();
    try {
      Files.createDirectories(p.getParent());
      JSON.writeValue(p.toFile(), this);
    } catch (IOException e) {
      throw new FerryException("cannot write the context file " + p + ": " + e.getMessage());
    }
  }

  /** Removes the context file if it still points at this cluster. */
  public void removeIfCurrent() {
    load().filter(c -> c.equals(this)).ifPresent(c -> {
      try {
        Files.deleteIfExists(path());
      } catch (IOException ignored) {
        // harmless: the next 'ferry up' overwrites it
      }
    });
  }
}
