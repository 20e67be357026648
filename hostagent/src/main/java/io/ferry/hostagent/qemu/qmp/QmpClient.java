package io.ferry.hostagent.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP connection to one QEMU over its unix socket. {@link #connect} reads the greeting and negotiates
 * {@code qmp_capabilities}; {@link #execute} sends a command with an id and waits for its answer up to a time-out;
 * one reader thread delivers answers and events. Events go to listeners ({@link #addListener}) and to waiters
 * ({@link #nextEvent}, {@link #awaitEvent}). After the socket closes every pending and later call fails with
 * {@link QmpException.Kind#CONNECTION_LOST}.
 */
public final class QmpClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SocketChannel channel;
  private final String name;
  private final Clock clock;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final List<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<EventWaiter> waiters = new CopyOnWriteArrayList<>();
  private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final Thread reader;

  private record Pending(String command, CompletableFuture<JsonNode> answer) {}

  private record EventWaiter(String name, Predicate<QmpEvent> predicate, CompletableFuture<QmpEvent> future) {}

  private QmpClient(SocketChannel channel, String name, Clock clock) {
    this.channel = channel;
    this.name = name;
    this.clock = clock;
    this.reader = new Thread(this::readLoop, "qmp-" + name);
    reader.setDaemon(true);
  }

  /**
   * Connects to {@code socket}, reads the greeting and leaves negotiation mode.
   *
   * @throws QmpException CONNECTION_LOST if the socket cannot be reached, TIMEOUT if QEMU does not greet in time
   */
  public static QmpClient connect(Path socket, Duration timeout, Clock clock) {
    SocketChannel ch;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw QmpException.connectionLost(socket.toString(), "cannot connect: " + e.getMessage());
    }
    QmpClient client = new QmpClient(ch, socket.toString(), clock);
    client.reader.start();
    try {
      client.waitFor(client.greeting, timeout, "greeting from " + socket);
      client.execute("qmp_capabilities", timeout);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** The QEMU version from the greeting, e.g. "7.2.22". */
  public String qemuVersion() {
    JsonNode v = greeting.join().path("QMP").path("version").path("qemu");
    return v.path("major").asInt() + "." + v.path("minor").asInt() + "." + v.path("micro").asInt();
  }

  /** Runs {@code command} with {@code arguments} (may be null) and returns its {@code return} value. */
  public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) {
    ObjectNode args = arguments == null ? null : JSON.valueToTree(arguments);
    return execute(command, args, timeout);
  }

  /** Runs {@code command} with {@code arguments} (may be null) and returns its {@code return} value. */
  public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
    String id = "ferry-" + ids.incrementAndGet();
    ObjectNode msg = JSON.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null) {
      msg.set("arguments", arguments);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, new Pending(command, answer));
    if (closed.isDone()) {
      pending.remove(id);
      throw QmpException.connectionLost(name, closed.join());
    }
    try {
      write(msg);
      return waitFor(answer, timeout, command + " on " + name + " after " + timeout.toMillis() + " ms");
    } finally {
      pending.remove(id);
    }
  }

  /** Runs {@code command} without arguments. */
  public JsonNode execute(String command, Duration timeout) {
    return execute(command, (ObjectNode) null, timeout);
  }

  /** Calls {@code listener} on the reader thread for every event; it must return quickly. */
  public void addListener(Consumer<QmpEvent> listener) {
    listeners.add(listener);
  }

  /**
   * A future for the next event called {@code eventName} that matches {@code predicate}. Register it before the
   * command that causes the event, so the event cannot slip by. It fails with CONNECTION_LOST if the socket closes.
   */
  public CompletableFuture<QmpEvent> nextEvent(String eventName, Predicate<QmpEvent> predicate) {
    EventWaiter w = new EventWaiter(eventName, predicate, new CompletableFuture<>());
    waiters.add(w);
    if (closed.isDone()) {
      w.future.completeExceptionally(QmpException.connectionLost(name, closed.join()));
    }
    w.future.whenComplete((e, t) -> waiters.remove(w));
    return w.future;
  }

  /** Waits for the next matching event (see {@link #nextEvent}). */
  public QmpEvent awaitEvent(String eventName, Predicate<QmpEvent> predicate, Duration timeout) {
    return waitFor(nextEvent(eventName, predicate), timeout, "event " + eventName + " on " + name);
  }

  /** True until the socket closed. */
  public boolean isConnected() {
    return !closed.isDone();
  }

  /** Completes with the reason once the connection is gone (QEMU quit, crashed, or {@link #close}). */
  public CompletableFuture<String> closedFuture() {
    return closed;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing QMP socket {}: {}", name, e.toString());
    }
    shutDown("closed by Ferry");
  }

  private <T> T waitFor(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw QmpException.timeout(what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw QmpException.timeout("interrupted waiting for " + what);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof QmpException q) {
        throw q;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private synchronized void write(JsonNode msg) {
    try {
      ByteBuffer buf = ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      shutDown("write failed: " + e.getMessage());
      throw QmpException.connectionLost(name, e.getMessage());
    }
  }

  private void readLoop() {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    String reason = "QEMU closed the socket";
    try {
      while (channel.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          byte b = buf.get();
          if (b == '\n') {
            dispatch(line.toString(StandardCharsets.UTF_8));
            line.reset();
          } else {
            line.write(b);
          }
        }
        buf.clear();
      }
    } catch (IOException e) {
      reason = channel.isOpen() ? "read failed: " + e.getMessage() : "closed by Ferry";
    }
    shutDown(reason);
  }

  private void dispatch(String text) {
    if (text.isBlank()) {
      return;
    }
    JsonNode msg;
    try {
      msg = JSON.readTree(text);
    } catch (IOException e) {
      log.warn("QMP {}: ignoring a line that is not JSON: {}", name, text);
      return;
    }
    if (msg.has("QMP")) {
      greeting.complete(msg);
    } else if (msg.has("event")) {
      Instant received = clock.instant();
      JsonNode ts = msg.path("timestamp");
      Instant emitted = ts.has("seconds")
          ? Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000) : received;
      deliver(new QmpEvent(msg.get("event").asText(), msg.get("data"), received, emitted));
    } else if (msg.has("id")) {
      Pending p = pending.get(msg.get("id").asText());
      if (p == null) {
        return;
      }
      if (msg.has("error")) {
        JsonNode err = msg.get("error");
        p.answer.completeExceptionally(
            QmpException.commandError(p.command, err.path("class").asText(), err.path("desc").asText()));
      } else {
        p.answer.complete(msg.get("return"));
      }
    }
  }

  private void deliver(QmpEvent event) {
    for (Consumer<QmpEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("QMP {}: an event listener failed on {}: {}", name, event.name(), e.toString());
      }
    }
    for (EventWaiter w : waiters) {
      if (w.name.equals(event.name()) && w.predicate.test(event)) {
        w.future.complete(event);
      }
    }
  }

  private void shutDown(String reason) {
    if (!closed.complete(reason)) {
      return;
    }
    QmpException lost = QmpException.connectionLost(name, reason);
    greeting.completeExceptionally(lost);
    pending.values().forEach(p -> p.answer.completeExceptionally(lost));
    waiters.forEach(w -> w.future.completeExceptionally(lost));
  }
}
