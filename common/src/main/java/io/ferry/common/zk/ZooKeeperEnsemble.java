package io.ferry.common.zk;

import io.ferry.common.FerryException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The members of a ZooKeeper ensemble, parsed from {@code HOST:QUORUM_PORT:ELECTION_PORT:CLIENT_PORT,...}; member
 * ids are positions in the list, from 1.
 */
public record ZooKeeperEnsemble(List<Member> members) {
  /** One member: where it talks to its peers (quorum and election ports) and where clients connect. */
  public record Member(int id, String host, int quorumPort, int electionPort, int clientPort) {
    /** The line of zoo.cfg that names this member ({@code server.N=...}'s value). */
    String serverLine() {
      return host + ":" + quorumPort + ":" + electionPort + ";" + host + ":" + clientPort;
    }

    public String clientAddress() {
      return host + ":" + clientPort;
    }
  }

  public ZooKeeperEnsemble {
    members = List.copyOf(members);
    if (members.size() < 3) {
      throw new FerryException("a ZooKeeper ensemble needs at least 3 members, got " + members.size()
          + ": run 'ferry zk' without --ensemble for a standalone server");
    }
  }

  /** Parses the {@code --ensemble} text, naming the entry and the field that is wrong. */
  public static ZooKeeperEnsemble parse(String text) {
    if (text == null || text.isBlank()) {
      throw new FerryException("--ensemble is empty: expected HOST:QUORUM_PORT:ELECTION_PORT:CLIENT_PORT,...");
    }
    List<Member> out = new ArrayList<>();
    String[] entries = text.split(",");
    for (int i = 0; i < entries.length; i++) {
      String e = entries[i].trim();
      String[] f = e.split(":");
      String where = "--ensemble entry " + (i + 1) + " '" + e + "'";
      if (f.length != 4 || f[0].isBlank()) {
        throw new FerryException(where + " is not HOST:QUORUM_PORT:ELECTION_PORT:CLIENT_PORT");
      }
      out.add(new Member(i + 1, f[0], port(f[1], "quorum port", where), port(f[2], "election port", where),
          port(f[3], "client port", where)));
    }
    ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(out);
    ensemble.requireDistinctPorts();
    return ensemble;
  }

  private void requireDistinctPorts() {
    List<String> seen = new ArrayList<>();
    for (Member m : members) {
      for (int p : new int[] {m.quorumPort(), m.electionPort(), m.clientPort()}) {
        String key = m.host() + ":" + p;
        if (seen.contains(key)) {
          throw new FerryException("--ensemble uses " + key + " twice (member " + m.id()
              + "): every quorum, election and client port on a host must differ");
        }
        seen.add(key);
      }
    }
  }

  private static int port(String text, String what, String where) {
    try {
      int p = Integer.parseInt(text.trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new FerryException(where + ": " + what + " '" + text + "' is not a port number (1..65535)");
  }

  public Member member(int id) {
    if (id < 1 || id > members.size()) {
      throw new FerryException("--id " + id + " is not a member of the ensemble: use 1.." + members.size());
    }
    return members.get(id - 1);
  }

  /** The connect string clients use: every member's client address. */
  public String connectString() {
    return members.stream().map(Member::clientAddress).collect(Collectors.joining(","));
  }
}
