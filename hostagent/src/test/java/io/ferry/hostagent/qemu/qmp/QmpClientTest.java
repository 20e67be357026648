package io.ferry.hostagent.qemu.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class QmpClientTest {
  static final Duration T = Duration.ofSeconds(5);
  @TempDir Path tmp;

  @Test
  void returnsTheAnswerToACommandAndTheGreetingVersion() throws Exception {
    try (FakeQmpServer s = new FakeQmpServer(tmp.resolve("q.sock"),
            c -> "\"return\": {\"status\": \"running\", \"echo\": " + c.path("arguments").path("x").asInt() + "}");
        QmpClient q = QmpClient.connect(tmp.resolve("q.sock"), T, Clock.systemUTC())) {
      assertEquals("7.2.0", q.qemuVersion());
      assertEquals("running", q.execute("query-status", T).path("status").asText());
      assertEquals(42, q.execute("echo", Map.of("x", 42), T).path("echo").asInt());
    }
  }

  @Test
  void aCommandErrorCarriesQemusClassAndDescription() throws Exception {
    try (FakeQmpServer s = new FakeQmpServer(tmp.resolve("q.sock"),
            c -> "\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}");
        QmpClient q = QmpClient.connect(tmp.resolve("q.sock"), T, Clock.systemUTC())) {
      QmpException e = assertThrows(QmpException.class, () -> q.execute("nope", T));
      assertEquals(QmpException.Kind.COMMAND_ERROR, e.kind());
      assertEquals("CommandNotFound", e.errorClass());
      assertEquals("nope failed: CommandNotFound: The command nope has not been found", e.getMessage());
    }
  }

  @Test
  void aSilentQemuTimesOut() throws Exception {
    try (FakeQmpServer s = new FakeQmpServer(tmp.resolve("q.sock"), c -> null);
        QmpClient q = QmpClient.connect(tmp.resolve("q.sock"), T, Clock.systemUTC())) {
      QmpException e = assertThrows(QmpException.class, () -> q.execute("query-migrate", Duration.ofMillis(100)));
      assertEquals(QmpException.Kind.TIMEOUT, e.kind());
    }
  }

  @Test
  void eventsReachListenersAndWaiters() throws Exception {
    try (FakeQmpServer s = new FakeQmpServer(tmp.resolve("q.sock"), c -> "\"return\": {}");
        QmpClient q = QmpClient.connect(tmp.resolve("q.sock"), T, Clock.systemUTC())) {
      List<String> seen = new CopyOnWriteArrayList<>();
      q.addListener(e -> seen.add(e.name() + ":" + e.text("status")));
      CompletableFuture<QmpEvent> completed = q.nextEvent("MIGRATION", e -> e.text("status").equals("completed"));
      s.send("{\"event\": \"MIGRATION\", \"data\": {\"status\": \"active\"}}");
      s.send("{\"event\": \"MIGRATION\", \"data\": {\"status\": \"completed\"}}");
      assertEquals("completed", completed.get(5, TimeUnit.SECONDS).text("status"));
      assertEquals(List.of("MIGRATION:active", "MIGRATION:completed"), seen);
    }
  }

  @Test
  void aLostConnectionFailsPendingCallsAndWaiters() throws Exception {
    try (FakeQmpServer s = new FakeQmpServer(tmp.resolve("q.sock"), c -> null);
        QmpClient q = QmpClient.connect(tmp.resolve("q.sock"), T, Clock.systemUTC())) {
      CompletableFuture<QmpEvent> never = q.nextEvent("RESUME", e -> true);
      CompletableFuture<Void> call = CompletableFuture.runAsync(() -> q.execute("query-migrate", T));
      s.dropConnection();
      Exception e = assertThrows(Exception.class, () -> call.get(5, TimeUnit.SECONDS));
      assertEquals(QmpException.Kind.CONNECTION_LOST, ((QmpException) e.getCause()).kind());
      assertThrows(Exception.class, () -> never.get(5, TimeUnit.SECONDS));
      assertFalse(q.isConnected());
      assertEquals(QmpException.Kind.CONNECTION_LOST,
          assertThrows(QmpException.class, () -> q.execute("quit", T)).kind());
    }
  }

  @Test
  void connectingToNoSocketIsAConnectionError() {
    QmpException e = assertThrows(QmpException.class,
        () -> QmpClient.connect(tmp.resolve("absent.sock"), T, Clock.systemUTC()));
    assertEquals(QmpException.Kind.CONNECTION_LOST, e.kind());
  }
}
