import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { AhciLikeDriver, ICH9_AHCI, ScsiSim, addIch9Ahci } from "./ahci-like-driver.js";

const SEC = 1_000_000_000;

/**
 * The guest script of fixtures/real-traces ahci-bind-unbind, on the simulated kernel:
 * `modprobe ahci; modprobe sd_mod; 2 x (unbind; sleep 1; bind; sleep 1); rmmod ahci;
 * rmmod sd_mod; rmmod libahci; rmmod libata`, with the same `rk:` markers. Returns the kernel,
 * whose trace and dmesg can then be written out.
 */
export function runAhciBindUnbind(opts: KernelOptions = {}): Kernel {
  const k = new Kernel({ version: "6.1", startNs: 3_639_000_000, ...opts });
  const dev = ICH9_AHCI.name;
  addIch9Ahci(k);
  const scsi = new ScsiSim(k);
  const ahci = new AhciLikeDriver(k, scsi);
  k.marker(
    "rk: trace start: events=dev:devres_log kmem:kmalloc kmem:kfree module:module_load module:module_free",
  );
  k.marker("rk: modprobe ahci");
  k.runAs(k.task("modprobe", 0), () => ahci.modprobe());
  k.advance(SEC / 2);
  k.marker("rk: modprobe sd_mod");
  k.runAs(k.task("modprobe", 0), () => scsi.register());
  k.advance(2 * SEC);
  for (let i = 0; i < 2; i++) {
    k.marker(`rk: unbind ${dev} from ahci`);
    k.core.unbind("pci", "ahci", dev);
    k.advance(SEC);
    k.marker(`rk: bind ${dev} to ahci`);
    k.core.bind("pci", "ahci", dev);
    k.marker(
      `rk: after bind ${dev}: driver=${k.core.devices.find((d) => d.name === dev)?.driver?.name ?? "none"}`,
    );
    k.advance(SEC);
  }
  k.marker("rk: rmmod ahci");
  k.runAs(k.task("rmmod", 1), () => ahci.rmmod());
  k.runAs(k.task("rmmod", 1), () => scsi.unregister());
  k.runAs(k.task("rmmod", 1), () => k.unloadModule("libahci"));
  k.runAs(k.task("rmmod", 1), () => k.unloadModule("libata"));
  k.marker("rk: trace stop");
  return k;
}
