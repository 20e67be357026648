package io.ferry.hostagent.hypervisor;

/** Post-copy: told when the guest touches a page that has not arrived yet (like userfaultfd). Must not block. */
@FunctionalInterface
public interface PageFaultHandler {
  void onFault(long pageIndex);
}
