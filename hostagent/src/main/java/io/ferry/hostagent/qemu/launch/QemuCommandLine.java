package io.ferry.hostagent.qemu.launch;

import io.ferry.v1.DiskSpec;
import io.ferry.v1.NetworkSpec;
import io.ferry.v1.VmSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@link VmSpec} into QEMU arguments. Disk {@code i} is the block node {@code disk<i>} (the name NBD exports
 * and mirrors use); disk 0 is an IDE disk with boot index 0 so any raw boot image boots, later disks are virtio-blk.
 */
public final class QemuCommandLine {
  /** Spec option: a serial log path other than {@code RUN_DIR/NAME/serial.log}. */
  public static final String OPTION_SERIAL_LOG = "serialLog";

  private QemuCommandLine() {}

  /** The block node name of disk {@code index}. */
  public static String diskNode(int index) {
    return "disk" + index;
  }

  static List<String> build(String binary, VmSpec spec, VmDirectory dir, String accelerator, boolean incoming) {
    List<String> a = new ArrayList<>(List.of(binary, "-name", spec.getName(), "-nodefaults", "-no-user-config",
        "-display", "none", "-daemonize", "-pidfile", dir.pidFile().toString(),
        "-qmp", "unix:" + dir.qmpSocket() + ",server=on,wait=off",
        "-qmp", "unix:" + dir.operatorQmpSocket() + ",server=on,wait=off",
        "-accel", accelerator,
        "-machine", spec.getMachine().isBlank() ? "pc" : spec.getMachine(),
        "-cpu", spec.getCpuModel().isBlank() ? "qemu64" : spec.getCpuModel(),
        "-smp", String.valueOf(Math.max(1, spec.getVcpus())),
        "-m", (spec.getMemoryBytes() >> 20) + "M",
        "-chardev", "file,id=serial0,path=" + serialLog(spec, dir), "-serial", "chardev:serial0"));
    for (int i = 0; i < spec.getDisksCount(); i++) {
      disk(a, i, spec.getDisks(i));
    }
    for (int i = 0; i < spec.getNetworksCount(); i++) {
      network(a, i, spec.getNetworks(i));
    }
    if (incoming) {
      a.addAll(List.of("-incoming", "defer"));
    }
    return a;
  }

  static String serialLog(VmSpec spec, VmDirectory dir) {
    String custom = spec.getOptionsMap().get(OPTION_SERIAL_LOG);
    return custom == null || custom.isBlank() ? dir.serialLog().toString() : custom;
  }

  private static void disk(List<String> a, int i, DiskSpec d) {
    String format = d.getFormat().isBlank() ? "raw" : d.getFormat().toLowerCase(Locale.ROOT);
    String node = diskNode(i);
    a.addAll(List.of("-blockdev", "driver=file,filename=" + escape(d.getPath()) + ",node-name=" + node + "-file"
        + (d.getReadOnly() ? ",read-only=on" : ""),
        "-blockdev", "driver=" + format + ",file=" + node + "-file,node-name=" + node
        + (d.getReadOnly() ? ",read-only=on" : "")));
    a.addAll(List.of("-device", i == 0 ? "ide-hd,drive=" + node + ",id=dev-" + node + ",bootindex=0"
        : "virtio-blk-pci,drive=" + node + ",id=dev-" + node));
  }

  private static void network(List<String> a, int i, NetworkSpec n) {
    String id = "net" + i;
    String type = n.getType().isBlank() ? "user" : n.getType();
    String backend = switch (type) {
      case "none" -> null;
      case "user" -> "user,id=" + id;
      case "tap" -> "tap,id=" + id + ",ifname=" + n.getIfname() + ",script=no,downscript=no";
      case "bridge" -> "bridge,id=" + id + ",br=" + n.getBridge();
      default -> throw new IllegalArgumentException("network type must be user, tap, bridge or none, got " + type);
    };
    if (backend == null) {
      return;
    }
    a.addAll(List.of("-netdev", backend, "-device",
        "virtio-net-pci,netdev=" + id + (n.getMac().isBlank() ? "" : ",mac=" + n.getMac())));
  }

  // QEMU option values separate with commas; a literal comma is written twice.
  private static String escape(String value) {
    return value.replace(",", ",,");
  }
}
