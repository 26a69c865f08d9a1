import { describe, expect, it } from "vitest";
import {
  IRQF_SHARED,
  IRQ_HANDLED,
  ioremap,
  pci_enable_device,
  pci_resource_start,
  request_irq,
  type PciDev,
} from "@devscope/core";
import { Machine } from "../../machine.js";
import { NicDevice } from "./nic-device.js";
import * as R from "./nic-regs.js";

function rig(): { m: Machine; nic: NicDevice; pdev: PciDev } {
  const m = new Machine({ seed: 3, trace: false });
  const nic = new NicDevice(m, { msiVectors: 0 });
  const pdev = m.bus.plug(nic, 3);
  return { m, nic, pdev };
}

describe("e1000-shaped NIC model", () => {
  it("decodes nothing (all-ones) until the device is enabled", () => {
    const { m, pdev } = rig();
    const io = ioremap(m.kernel, pci_resource_start(pdev, 0), 0x20000);
    expect(io?.read32(R.CHIP_XID)).toBe(0xffffffff);
    pci_enable_device(pdev);
    expect(io?.read32(R.CHIP_XID)).toBe(R.SIM_NIC_XID);
    expect(io?.read32(R.STATUS)).toBe(R.STATUS_LU | R.STATUS_FD);
  });

  it("ICR reads clear the causes; IMS/IMC gate the level INTx line", () => {
    const { m, nic, pdev } = rig();
    pci_enable_device(pdev);
    const io = ioremap(m.kernel, pci_resource_start(pdev, 0), 0x20000);
    if (io === null) throw new Error("no mapping");
    let fired = 0;
    request_irq(
      pdev,
      pdev.irq,
      () => {
        fired++;
        io.read32(R.ICR);
        return IRQ_HANDLED;
      },
      IRQF_SHARED,
      "eth0",
      nic,
    );
    io.write32(R.E1000_ICR_LSC, R.ICS);
    m.run(100_000);
    expect(fired).toBe(0); // masked
    io.write32(R.E1000_ICR_LSC, R.IMS);
    m.run(100_000);
    expect(fired).toBe(1);
    io.write32(R.E1000_ICR_LSC, R.ICS);
    io.write32(R.E1000_ICR_LSC, R.IMC);
    m.run(100_000);
    expect(fired).toBe(1);
    expect(io.read32(R.ICR)).toBe(R.E1000_ICR_LSC);
    expect(io.read32(R.ICR)).toBe(0);
  });

  it("a stuck cause becomes an interrupt storm that stops when the handler is freed", () => {
    const { m, nic, pdev } = rig();
    pci_enable_device(pdev);
    const io = ioremap(m.kernel, pci_resource_start(pdev, 0), 0x20000);
    if (io === null) throw new Error("no mapping");
    let fired = 0;
    const dev_id = {};
    request_irq(
      pdev,
      pdev.irq,
      () => {
        fired++;
        io.read32(R.ICR);
        return IRQ_HANDLED;
      },
      IRQF_SHARED,
      "eth0",
      dev_id,
    );
    io.write32(R.E1000_ICR_LSC, R.IMS);
    nic.stuckCauses = R.E1000_ICR_LSC;
    nic.raise(R.E1000_ICR_LSC);
    m.run(1_000_000);
    expect(fired).toBeGreaterThan(20);
    m.kernel.irq.free_irq(pdev.irq, dev_id);
    const before = fired;
    m.run(1_000_000);
    expect(fired).toBe(before);
    expect(m.pendingEvents).toBe(0);
  });

  it("after surprise removal reads return all-ones and writes vanish", () => {
    const { m, nic, pdev } = rig();
    pci_enable_device(pdev);
    const io = ioremap(m.kernel, pci_resource_start(pdev, 0), 0x20000);
    nic.yank();
    expect(io?.read32(R.ICR)).toBe(0xffffffff);
    io?.write32(R.CTRL_RST, R.CTRL);
    expect(nic.masterAborts).toBe(2);
    expect(nic.receive(64)).toBe(false);
  });
});
