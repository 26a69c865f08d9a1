import { PAGE_SIZE, type Kernel } from "@devscope/core";

/**
 * How the simulated IOMMU reports a refused access: the Intel VT-d fault lines of
 * drivers/iommu/intel/dmar.c :: dmar_fault / dmar_fault_do_one (6.x form, pr_fmt "DMAR: "),
 * ratelimited like the kernel's (DEFAULT_RATELIMIT_INTERVAL 5 s, burst 10). The fault address
 * is the page the VT-d fault record holds. Non-present second-level entries give reason 0x05
 * (write) / 0x06 (read).
 */
const RATELIMIT_INTERVAL_NS = 5_000_000_000;
const RATELIMIT_BURST = 10;

export class DmarReporter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private printed = 0;
  /** Faults not printed because of the ratelimit, count. */
  suppressed = 0;

  constructor(private readonly k: Kernel) {}

  /** Print the fault (if the ratelimit allows); returns whether it was printed. */
  report(deviceName: string, iova: number, write: boolean): boolean {
    const now = this.k.clock.now;
    if (now - this.windowStart >= RATELIMIT_INTERVAL_NS) {
      this.windowStart = now;
      this.printed = 0;
    }
    if (this.printed >= RATELIMIT_BURST) {
      this.suppressed++;
      return false;
    }
    this.printed++;
    const bdf = deviceName.replace(/^[0-9a-f]{4}:/, "");
    const page = Math.floor(iova / PAGE_SIZE) * PAGE_SIZE;
    const reason = write ? "0x05] PTE Write access is not set" : "0x06] PTE Read access is not set";
    this.k.printk(3, "DMAR: DRHD: handling fault status reg 2");
    this.k.printk(
      3,
      `DMAR: [DMA ${write ? "Write" : "Read"} NO_PASID] Request device [${bdf}] fault addr 0x${page.toString(16)} [fault reason ${reason}`,
    );
    return true;
  }
}
