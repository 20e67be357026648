package io.ferry.benchmarks.ingest;

import io.ferry.common.tls.TlsMaterial;
import io.ferry.scheduler.Scheduler;
import io.ferry.scheduler.SchedulerConfig;
import java.time.Clock;
import java.time.Duration;

/** A scheduler leader in its own process, so the ingest benchmark can measure that process' CPU alone. */
public final class LeaderProcess {
  private LeaderProcess() {}

  /** Arguments: ZK connect string, cluster name. Prints "admin=HOST:PORT" once leading, then runs until killed. */
  public static void main(String[] args) throws Exception {
    Scheduler s = new Scheduler(new SchedulerConfig("bench-leader", args[0], args[1], "127.0.0.1", "127.0.0.1", 0, 0,
        TlsMaterial.insecurePlainText(), null, Duration.ofSeconds(10)), Clock.systemUTC()).start();
    while (!s.isLeader()) {
      Thread.sleep(20);
    }
    System.out.println("admin=" + s.adminEndpoint());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
