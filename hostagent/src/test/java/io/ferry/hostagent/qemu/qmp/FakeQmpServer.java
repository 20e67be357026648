package io.ferry.hostagent.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/** A scripted QMP peer on a unix socket: greets, accepts qmp_capabilities, answers with {@code handler}. */
final class FakeQmpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ServerSocketChannel server;
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  private volatile SocketChannel client;

  /** {@code handler} maps a command to the raw reply line (without id), or null to stay silent. */
  FakeQmpServer(Path socket, Function<JsonNode, String> handler) throws IOException {
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread t = new Thread(() -> serve(handler), "fake-qmp");
    t.setDaemon(true);
    t.start();
  }

  private void serve(Function<JsonNode, String> handler) {
    try {
      client = server.accept();
      send("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}");
      BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
          StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode cmd = JSON.readTree(line);
        received.add(cmd);
        String reply = cmd.path("execute").asText().equals("qmp_capabilities") ? "\"return\": {}"
            : handler.apply(cmd);
        if (reply != null) {
          send("{" + reply + ", \"id\": \"" + cmd.path("id").asText() + "\"}");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  // Written on the channel itself: a stream adapter would wait for the reader's lock while it blocks in read.
  synchronized void send(String line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      client.write(b);
    }
  }

  void dropConnection() throws IOException {
    client.close();
  }

  @Override
  public void close() throws IOException {
    if (client != null) {
      client.close();
    }
    server.close();
  }
}
