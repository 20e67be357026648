package io.ferry.hostagent.signals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** A writable fake host root for tests: place fixture files or literal text at host paths, then sample it. */
final class FixtureHost {
  final Path root;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final SignalAvailability availability = new SignalAvailability(registry);

  FixtureHost(Path root) {
    this.root = root;
  }

  HostFiles files() {
    return HostFiles.at(root);
  }

  /** Copies {@code fixtures/<fixture>} from the test resources to {@code hostPath}. */
  FixtureHost put(String hostPath, String fixture) {
    try {
      return write(hostPath, Files.readString(fixture(fixture)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FixtureHost write(String hostPath, String text) {
    try {
      Path file = root.resolve(hostPath.substring(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Times this host counted a signal as unavailable for the given reason kind. */
  double unavailableCount(String signal, String reasonKind) {
    var counter = registry.find(SignalAvailability.UNAVAILABLE_METRIC)
        .tag("signal", signal).tag("reason_kind", reasonKind).counter();
    return counter == null ? 0 : counter.count();
  }

  /** A file or directory under {@code src/test/resources/fixtures}. */
  static Path fixture(String relative) {
    URL url = FixtureHost.class.getResource("/fixtures/" + relative);
    if (url == null) {
      throw new IllegalArgumentException("no fixture " + relative);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
