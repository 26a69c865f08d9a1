// @devscope/hw-sim public API: a simulated machine (PCI bus, NIC and GPU with registers,
// interrupts and DMA, an IOMMU-like checker), the drivers that run on it, fault injection and
// the bug scenarios. Pure TypeScript (no node:*): it runs in Node, the CLI and a browser worker.

// machine
export { Machine, type MachineOptions } from "./machine.js";
export { EventQueue, type TimedEvent } from "./event-queue.js";

// PCI
export { ConfigSpace, type BarSpec, type ConfigIdentity } from "./pci/config-space.js";
export * as pciRegs from "./pci/config-space.js";
export { PciFunction, allOnes } from "./pci/pci-function.js";
export { PciBus } from "./pci/pci-bus.js";
export {
  pci_read_config_byte,
  pci_read_config_word,
  pci_read_config_dword,
  pci_write_config_byte,
  pci_write_config_word,
  pci_write_config_dword,
} from "./pci/config-access.js";

// DMA
export { GuestMemory } from "./dma/guest-memory.js";
export { Iommu, type IommuMode, type IommuVerdict } from "./dma/iommu.js";
export { DmaEngine, type DmaInitiator } from "./dma/dma-engine.js";
export { DmarReporter } from "./dma/dma-report.js";
export { DmaCheckerReport } from "./dma/dma-checker-report.js";
export {
  faultSummary,
  type DmaFaultReason,
  type DmaFaultRecord,
  type DmaTargetInfo,
} from "./dma/dma-fault.js";

// devices
export { NicDevice, type NicOptions, type NicCounters } from "./devices/nic/nic-device.js";
export * as nicRegs from "./devices/nic/nic-regs.js";
export { GpuDevice, type GpuCounters } from "./devices/gpu/gpu-device.js";
export * as gpuRegs from "./devices/gpu/gpu-regs.js";

// drivers
export {
  makeSimR8169,
  r8169Of,
  r8169Up,
  r8169Down,
  r8169Xmit,
  R8169_DRIVER,
  R8169_MODULE,
  type SimR8169Options,
  type RtlPriv,
} from "./drivers/sim-r8169.js";
export {
  makeSimE100,
  e100Of,
  e100Up,
  e100Down,
  E100_DRIVER,
  E100_MODULE,
  type SimE100Options,
  type E100Nic,
} from "./drivers/sim-e100.js";
export {
  makeSimDrm,
  simDrmOf,
  simDrmOpen,
  simDrmClose,
  simDrmSetMode,
  simDrmSubmit,
  DRM_PCI_DRIVER,
  DRM_MODULE,
  type SimDrmOptions,
  type SimDrm,
  type SimDrmFile,
} from "./drivers/sim-drm.js";
export { drmm_mode_config_init, drm_mode_config_init_release } from "./drivers/drm-kms.js";
export {
  nic_configure_rings,
  nic_read_mac,
  nic_write_mac,
  nic_rx_reap,
  nic_rx_fill,
  nic_rx_free,
  RX_BUF_BYTES,
  type RxBuffer,
  type NicRing,
} from "./drivers/nic-hw.js";
export {
  alloc_etherdev,
  devm_alloc_etherdev,
  free_netdev,
  register_netdev,
  unregister_netdev,
  dev_open,
  dev_close,
  NetDevice,
  type NetDeviceOps,
} from "./drivers/netdev.js";

// fault injection
export { startIrqStorm, stopIrqStorm } from "./faults/irq-storm.js";
export { countAcquisitions, failAcquisition } from "./faults/probe-faults.js";
export { surpriseRemove, hotplugRemove } from "./faults/surprise-removal.js";

// scenarios
export { SCENARIOS, listScenarios, getScenario, runScenario } from "./scenarios/registry.js";
export {
  runScenarioDef,
  metaOf,
  ScenarioContext,
  type Scenario,
  type ScenarioMeta,
  type ScenarioSource,
  type ScenarioResult,
  type ScenarioRunOptions,
  type ScenarioEnv,
} from "./scenarios/scenario.js";
