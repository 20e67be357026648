package io.ferry.scheduler.ingest;

import io.ferry.common.cluster.ClusterDirectory;
import io.ferry.scheduler.admin.NotLeader;
import io.ferry.scheduler.leadership.Leadership;
import io.ferry.scheduler.loop.SchedulerLoop;
import io.ferry.scheduler.state.ClusterState;
import io.ferry.v1.HostReport;
import io.ferry.v1.IngestGrpc;
import io.ferry.v1.ReportAck;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Receives agents' report streams on the leader and hands each report to the scheduler loop. */
public final class IngestService extends IngestGrpc.IngestImplBase {
  private static final Logger log = LoggerFactory.getLogger(IngestService.class);

  private final Leadership leadership;
  private final ClusterDirectory directory;
  private final SchedulerLoop loop;
  private final ClusterState state;
  private final Clock clock;
  private final Counter reports;
  private final AtomicInteger streams = new AtomicInteger();

  public IngestService(Leadership leadership, ClusterDirectory directory, SchedulerLoop loop, ClusterState state,
                       Clock clock, MeterRegistry registry) {
    this.leadership = leadership;
    this.directory = directory;
    this.loop = loop;
    this.state = state;
    this.clock = clock;
    this.reports = Counter.builder("ferry_ingest_reports_total")
        .description("Host reports received by this replica while leader").register(registry);
    registry.gauge("ferry_ingest_streams", streams);
  }

  @Override
  public StreamObserver<HostReport> report(StreamObserver<ReportAck> acks) {
    if (!leadership.isLeader()) {
      acks.onError(NotLeader.error(directory));
      return new StreamObserver<>() {
        @Override public void onNext(HostReport value) {}
        @Override public void onError(Throwable t) {}
        @Override public void onCompleted() {}
      };
    }
    streams.incrementAndGet();
    return new StreamObserver<>() {
      private volatile String host;
      private volatile boolean closed;

      @Override
      public void onNext(HostReport report) {
        if (closed) {
          return;
        }
        if (!leadership.isLeader()) {
          closed = true;
          acks.onError(NotLeader.error(directory));
          return;
        }
        host = report.getHost();
        reports.increment();
        long epoch = leadership.epoch();
        loop.execute("ingest " + report.getHost(), () -> {
          boolean applied = state.apply(report, clock.instant());
          if (report.hasInventory()) {
            log.info("host {} reported its inventory: {} VMs", report.getHost(), report.getInventory().getVmsCount());
          }
          ReportAck ack = ReportAck.newBuilder().setSequence(report.getSequence()).setEpoch(epoch)
              .setLeader(leadership.leaderName()).setResendInventory(!applied).build();
          synchronized (acks) {
            if (!closed) {
              try {
                acks.onNext(ack);
              } catch (RuntimeException e) {
                closed = true; // the agent went away between its report and our ack
              }
            }
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        end();
      }

      @Override
      public void onCompleted() {
        end();
        synchronized (acks) {
          try {
            acks.onCompleted();
          } catch (RuntimeException ignored) {
            // already cancelled by the agent
          }
        }
      }

      private void end() {
        if (!closed) {
          closed = true;
          streams.decrementAndGet();
          String h = host;
          if (h != null) {
            loop.execute("disconnect " + h, () -> state.disconnected(h));
          }
        }
      }
    };
  }
}
