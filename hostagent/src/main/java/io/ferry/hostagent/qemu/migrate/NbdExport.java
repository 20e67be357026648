package io.ferry.hostagent.qemu.migrate;

import java.util.List;

/** The destination's NBD server for storage migration: where it listens and which block nodes it exports. */
public record NbdExport(String host, int port, List<String> exportNames, boolean tls) {}
