import { startIrqStorm, stopIrqStorm } from "../faults/irq-storm.js";
import { r8169Rig } from "./rigs.js";
import { MS, type Scenario } from "./scenario.js";
import { loadStep } from "./script-steps.js";

export const nicIrqBeforeAlloc: Scenario = {
  id: "nic-irq-before-alloc",
  title:
    "devm IRQ requested before the memory its handler uses; an interrupt during unbind touches freed memory",
  device: "nic",
  driver: "sim-r8169 (irqBeforeAlloc)",
  source: {
    kind: "commit",
    ref: "1bc31444209c",
    subject:
      "dmaengine: axi-dmac: fix possible race in remove() (devm IRQ outlives what its handler uses; cf. mhi/ath11k DEBUG_SHIRQ, ipu3-cio2 thread ZAHS7NOCJyhb7RtN@kekkonen.localdomain)",
  },
  expectedRules: ["irq-outlives-data", "use-after-free"],
  description:
    "The driver requests its shared INTx line with devm_request_irq() in probe and only then devm-allocates the statistics its handler updates. " +
    "At unbind devres releases newest-first: the statistics are freed while the handler is still registered. The NIC is in an interrupt storm " +
    "(a stuck link-change cause) and CONFIG_DEBUG_SHIRQ calls the handler once more in free_irq(): KASAN reports the handler's write to freed memory in hard-IRQ context.",
  env: { kernel: { debugShirq: true } },
  script(ctx) {
    const rig = r8169Rig(ctx, { irqBeforeAlloc: true }, { msiVectors: 0 });
    loadStep(ctx, rig);
    ctx.idle(MS);
    ctx.step("interrupt storm: link-change cause stuck");
    startIrqStorm(rig.nic);
    ctx.idle(100_000);
    ctx.step(`unbind ${rig.pdev.name} from sim-r8169 during the storm`, 0);
    ctx.unbind(rig.pdev, "sim-r8169");
    stopIrqStorm(rig.nic);
    ctx.idle(MS);
  },
};
