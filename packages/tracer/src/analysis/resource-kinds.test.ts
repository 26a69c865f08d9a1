import { describe, expect, it } from "vitest";
import {
  classifyDevres,
  classifyDrmm,
  knownReleaseNames,
  releaseNameSource,
} from "./resource-kinds.js";

describe("resource kinds", () => {
  it("classifies the kernel's release names", () => {
    const cases: [string, string][] = [
      ["devm_kzalloc_release", "memory"],
      ["devm_pages_release", "memory"],
      ["devm_percpu_release", "memory"],
      ["devm_irq_release", "irq"],
      ["devm_ioremap_release", "iomap"],
      ["devm_ioport_map_release", "iomap"],
      ["devm_region_release", "region"],
      ["dmam_release", "dma-coherent"],
      ["dmam_pool_release", "dma-pool"],
      ["pcim_release", "pci"],
      ["pcim_iomap_release", "iomap"],
      ["pcim_addr_resource_release", "iomap"],
      ["msi_device_data_release", "msi"],
      ["devm_action_release", "action"],
      ["grp<", "group"],
      ["grp>", "group"],
      ["devm_clk_release", "clk"],
      ["devm_gpiod_release", "gpio"],
      ["devm_gpio_release", "gpio"],
      ["devm_regulator_release", "regulator"],
      ["devm_attr_group_remove", "sysfs"],
      ["devm_attr_groups_remove", "sysfs"],
      // v6.4+ action names
      ["pcim_disable_device", "pci"],
      ["devm_drm_dev_init_release", "drm"],
      ["regulator_action_disable", "regulator"],
      // families by prefix
      ["devm_clk_bulk_release_all", "clk"],
      ["devm_gpiod_release_array", "gpio"],
    ];
    for (const [name, kind] of cases)
      expect([name, classifyDevres(name).kind]).toEqual([name, kind]);
  });

  it("puts unknown, unloaded-module and pointer names in other, with a note", () => {
    expect(classifyDevres("ata_devres_release", "module")).toEqual({
      kind: "other",
      note: "release name not in the kind table",
    });
    expect(classifyDevres("0xffffffffc0642715", "module-gone").kind).toBe("other");
    expect(classifyDevres("0xffffffffc0642715", "module-gone").note).toContain("unloaded");
    expect(classifyDevres("ffffffffb89545cc", "pointer").note).toContain("pointer");
    expect(classifyDevres("(null)").kind).toBe("memory");
    expect(classifyDrmm().kind).toBe("drm");
  });

  it("cites a kernel source for every exact name", () => {
    for (const n of knownReleaseNames()) expect(releaseNameSource(n)).toMatch(/\.c :: \w+/);
  });
});
