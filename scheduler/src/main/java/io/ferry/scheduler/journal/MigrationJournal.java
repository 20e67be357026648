package io.ferry.scheduler.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ferry.v1.MigrationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.helix.zookeeper.impl.client.ZkClient;
import org.apache.helix.zookeeper.zkclient.exception.ZkBadVersionException;
import org.apache.helix.zookeeper.zkclient.exception.ZkNoNodeException;
import org.apache.helix.zookeeper.zkclient.exception.ZkNodeExistsException;
import org.apache.zookeeper.data.Stat;

/**
 * The migration journal in ZooKeeper: one small znode per migration under
 * {@code /CLUSTER/PROPERTYSTORE/ferry/migrations}, written with compare-and-set on the znode version, plus an
 * index from request id to migration id so a retried request finds its first answer.
 *
 * <p>The journal records intent and progress; agents remain the truth of where a VM runs.
 */
public final class MigrationJournal {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final ZkClient zk;
  private final String root;

  public MigrationJournal(ZkClient zk, String ferryRoot) {
    this.zk = zk;
    this.root = ferryRoot;
    zk.createPersistent(migrations(), true);
    zk.createPersistent(requests(), true);
  }

  private String migrations() {
    return root + "/migrations";
  }

  private String requests() {
    return root + "/requests";
  }

  /** Outcome of {@link #create}: the new entry, or the entry an earlier request with the same id created. */
  public record Created(JournalEntry entry, boolean duplicate) {}

  /**
   * Journals a new migration. If {@code requestId} was already used, returns the migration it created instead
   * (idempotent retry) and writes nothing.
   */
  public Created create(MigrationRecord record) {
    String requestId = record.getRequestId();
    if (!requestId.isEmpty()) {
      Optional<String> existing = migrationForRequest(requestId);
      if (existing.isPresent()) {
        Optional<JournalEntry> e = get(existing.get());
        if (e.isPresent()) {
          return new Created(e.get(), true);
        }
      }
    }
    String id = record.getStatus().getMigrationId();
    zk.createPersistent(migrations() + "/" + id, toZn(id, record));
    if (!requestId.isEmpty()) {
      ZNRecord idx = new ZNRecord(requestId);
      idx.setSimpleField("migrationId", id);
      try {
        zk.createPersistent(requests() + "/" + safe(requestId), idx);
      } catch (ZkNodeExistsException e) {
        // a concurrent request with the same id won the index: undo ours, answer with theirs
        zk.delete(migrations() + "/" + id);
        return create(record);
      }
    }
    return new Created(new JournalEntry(record, 0), false);
  }

  public Optional<String> migrationForRequest(String requestId) {
    ZNRecord r = zk.readData(requests() + "/" + safe(requestId), true);
    return r == null ? Optional.empty() : Optional.ofNullable(r.getSimpleField("migrationId"));
  }

  public Optional<JournalEntry> get(String id) {
    Stat stat = new Stat();
    try {
      ZNRecord r = zk.readData(migrations() + "/" + id, stat);
      return Optional.of(new JournalEntry(fromZn(r), stat.getVersion()));
    } catch (ZkNoNodeException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes {@code change(entry)} if the znode is still at the entry's version.
   *
   * @return the new entry, or empty when someone else wrote in between (the caller re-reads and decides again)
   */
  public Optional<JournalEntry> update(JournalEntry entry, UnaryOperator<MigrationRecord> change) {
    MigrationRecord next = change.apply(entry.record());
    try {
      Stat stat = zk.writeDataGetStat(migrations() + "/" + entry.id(), toZn(entry.id(), next), entry.version());
      return Optional.of(new JournalEntry(next, stat.getVersion()));
    } catch (ZkBadVersionException e) {
      return Optional.empty();
    }
  }

  public List<JournalEntry> list() {
    List<JournalEntry> out = new ArrayList<>();
    for (String child : zk.getChildren(migrations())) {
      get(child).ifPresent(out::add);
    }
    out.sort((a, b) -> Long.compare(a.record().getCreatedAt().getSeconds() * 1_000_000_000L
        + a.record().getCreatedAt().getNanos(), b.record().getCreatedAt().getSeconds() * 1_000_000_000L
        + b.record().getCreatedAt().getNanos()));
    return out;
  }

  /** Removes a finished entry (retention); its request index goes with it. */
  public void remove(JournalEntry entry) {
    zk.delete(migrations() + "/" + entry.id());
    if (!entry.record().getRequestId().isEmpty()) {
      zk.delete(requests() + "/" + safe(entry.record().getRequestId()));
    }
  }

  private static String safe(String requestId) {
    return requestId.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static ZNRecord toZn(String id, MigrationRecord record) {
    ZNRecord z = new ZNRecord(id);
    try {
      z.setSimpleField("record", PRINTER.print(record));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    return z;
  }

  private static MigrationRecord fromZn(ZNRecord z) {
    MigrationRecord.Builder b = MigrationRecord.newBuilder();
    try {
      PARSER.merge(z.getSimpleField("record"), b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("journal entry " + z.getId() + " is unreadable: " + e.getMessage(), e);
    }
    return b.build();
  }
}
