package io.ferry.cli.client;

import io.ferry.v1.RequestMeta;
import java.util.UUID;
import picocli.CommandLine.Option;

/** The idempotency key of a mutating Admin request, and who sends it ({@code cli:USER}, for logs and the journal). */
public final class RequestOptions {
  @Option(names = "--request-id", paramLabel = "ID",
      description = "Idempotency key: a retry with the same id gets the first answer (default: a new one)")
  String requestId;

  public RequestMeta meta() {
    return RequestMeta.newBuilder().setRequestId(requestId != null ? requestId : "cli-" + UUID.randomUUID())
        .setIssuer("cli:" + System.getProperty("user.name")).build();
  }
}
