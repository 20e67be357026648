package io.ferry.common.metrics;

import com.sun.net.httpserver.HttpServer;
import io.ferry.common.FerryException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** Serves one process' Micrometer registry at {@code /metrics} in the Prometheus text format. */
public final class MetricsEndpoint implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer server;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Binds {@code bindHost:port} (0 = any free port). */
  public static MetricsEndpoint start(String role, String bindHost, int port, PrometheusMeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bindHost, port), 16);
    } catch (BindException e) {
      throw new FerryException(role + ": metrics port " + port + " is already in use: stop the process using it"
          + " or choose another --metrics-port");
    } catch (IOException e) {
      throw new FerryException(role + ": cannot serve metrics on port " + port + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.createContext("/", exchange -> {
      byte[] body = "ferry: metrics at /metrics\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/") ? 200 : 404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, role + "-metrics-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new MetricsEndpoint(registry, server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
