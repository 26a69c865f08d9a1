import type { NicDevice } from "../devices/nic/nic-device.js";
import { E1000_ICR_LSC } from "../devices/nic/nic-regs.js";

/**
 * Fault injection: an interrupt storm. The NIC keeps re-asserting a cause (link status change)
 * after every ICR read, so its line fires again and again — at every point the driver core
 * lets an interrupt in, including between devres releases at unbind. Only a handler that is
 * registered and unmasked sees it (an unrequested INTx line is masked, as the IOAPIC does).
 */
export function startIrqStorm(nic: NicDevice, causes = E1000_ICR_LSC): void {
  nic.stuckCauses = causes;
  nic.raise(causes);
}

export function stopIrqStorm(nic: NicDevice): void {
  nic.stuckCauses = 0;
}
