package io.ferry.common.grpc;

import java.util.Set;

/**
 * A service some of whose methods have handlers that never block (they copy bytes and return): {@link GrpcServers}
 * runs those calls on the transport's I/O thread instead of handing every message to the server's executor, which
 * saves a thread switch per message on bulk streams.
 */
public interface InlineMethods {
  /** Full names ({@code package.Service/Method}) of the methods whose calls may run inline. */
  Set<String> inlineMethods();
}
