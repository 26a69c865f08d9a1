import type { NameForm } from "../model/events.js";
import type { ResourceKind } from "../model/analysis.js";

/**
 * The one table that turns a devres release name into a resource kind.
 *
 * devres_alloc() records `#release` as the node name (include/linux/device/devres.h ::
 * devres_alloc), devm_kmalloc() records "devm_kzalloc_release" (drivers/base/devres.c ::
 * devm_kmalloc), groups log "grp<"/"grp>" (drivers/base/devres.c :: devres_open_group), and
 * since v6.4 devm_add_action() records the action function's name instead of
 * "devm_action_release" (drivers/base/devres.c :: __devm_add_action). Each row names the kernel
 * file that creates the node.
 */
const EXACT: ReadonlyMap<string, { kind: ResourceKind; source: string }> = new Map(
  (
    [
      // drivers/base/devres.c
      ["devm_kzalloc_release", "memory", "drivers/base/devres.c :: devm_kmalloc"],
      ["devm_pages_release", "memory", "drivers/base/devres.c :: devm_get_free_pages"],
      ["devm_percpu_release", "memory", "drivers/base/devres.c :: __devm_alloc_percpu"],
      ["devm_action_release", "action", "drivers/base/devres.c :: __devm_add_action"],
      ["grp<", "group", "drivers/base/devres.c :: devres_open_group"],
      ["grp>", "group", "drivers/base/devres.c :: devres_close_group"],
      // kernel/irq/devres.c
      ["devm_irq_release", "irq", "kernel/irq/devres.c :: devm_request_threaded_irq"],
      ["devm_irq_desc_release", "irq", "kernel/irq/devres.c :: __devm_irq_alloc_descs"],
      ["devm_irq_remove_generic_chip", "irq", "kernel/irq/devres.c :: devm_irq_setup_generic_chip"],
      // lib/devres.c
      ["devm_ioremap_release", "iomap", "lib/devres.c :: __devm_ioremap"],
      ["devm_ioport_map_release", "iomap", "lib/devres.c :: devm_ioport_map"],
      ["devm_arch_phys_ac_add_release", "iomap", "lib/devres.c :: devm_arch_phys_wc_add"],
      [
        "devm_arch_io_free_memtype_wc_release",
        "iomap",
        "lib/devres.c :: devm_arch_io_reserve_memtype_wc",
      ],
      // kernel/resource.c
      ["devm_region_release", "region", "kernel/resource.c :: __devm_request_region"],
      ["devm_resource_release", "region", "kernel/resource.c :: devm_request_resource"],
      // kernel/dma/mapping.c, mm/dmapool.c
      ["dmam_release", "dma-coherent", "kernel/dma/mapping.c :: dmam_alloc_attrs"],
      ["dmam_pool_release", "dma-pool", "mm/dmapool.c :: dmam_pool_create"],
      // drivers/pci (pci.c and devres.c; lib/devres.c before v6.9)
      ["pcim_release", "pci", "drivers/pci/pci.c :: pcim_enable_device (<= v6.10)"],
      ["pcim_iomap_release", "iomap", "drivers/pci/devres.c :: pcim_iomap_table"],
      ["pcim_addr_resource_release", "iomap", "drivers/pci/devres.c :: pcim_iomap_region (v6.11+)"],
      ["pcim_intx_restore", "pci", "drivers/pci/devres.c :: pcim_intx (v6.11+)"],
      ["pcim_disable_device", "pci", "drivers/pci/devres.c :: pcim_enable_device (v6.11+ action)"],
      ["pcim_clear_mwi", "pci", "drivers/pci/devres.c :: pcim_set_mwi (v6.11+ action)"],
      ["pcim_msi_release", "msi", "drivers/pci/msi/msi.c :: pcim_setup_msi_release (v6.4+ action)"],
      // kernel/irq/msi.c
      ["msi_device_data_release", "msi", "kernel/irq/msi.c :: msi_setup_device_data"],
      // drivers/clk/clk-devres.c, drivers/clk/clk.c
      ["devm_clk_release", "clk", "drivers/clk/clk-devres.c :: __devm_clk_get"],
      ["devm_clk_bulk_release", "clk", "drivers/clk/clk-devres.c :: __devm_clk_bulk_get"],
      ["devm_clk_bulk_release_all", "clk", "drivers/clk/clk-devres.c :: devm_clk_bulk_get_all"],
      ["devm_clk_hw_unregister_cb", "clk", "drivers/clk/clk.c :: devm_clk_hw_register"],
      ["devm_clk_unregister_cb", "clk", "drivers/clk/clk.c :: devm_clk_register"],
      // drivers/gpio/gpiolib-devres.c
      ["devm_gpiod_release", "gpio", "drivers/gpio/gpiolib-devres.c :: devm_gpiod_get_index"],
      ["devm_gpiod_release_array", "gpio", "drivers/gpio/gpiolib-devres.c :: devm_gpiod_get_array"],
      ["devm_gpio_release", "gpio", "drivers/gpio/gpiolib-devres.c :: devm_gpio_request"],
      [
        "devm_gpio_chip_release",
        "gpio",
        "drivers/gpio/gpiolib-devres.c :: devm_gpiochip_add_data_with_key",
      ],
      // drivers/regulator/devres.c, core.c
      ["devm_regulator_release", "regulator", "drivers/regulator/devres.c :: _devm_regulator_get"],
      [
        "devm_regulator_bulk_release",
        "regulator",
        "drivers/regulator/devres.c :: devm_regulator_bulk_get",
      ],
      ["devm_rdev_release", "regulator", "drivers/regulator/devres.c :: devm_regulator_register"],
      [
        "regulator_action_disable",
        "regulator",
        "drivers/regulator/devres.c :: _devm_regulator_get_enable (action)",
      ],
      // drivers/base/core.c
      ["devm_attr_group_remove", "sysfs", "drivers/base/core.c :: devm_device_add_group"],
      ["devm_attr_groups_remove", "sysfs", "drivers/base/core.c :: devm_device_add_groups"],
      // drivers/gpu/drm/drm_drv.c (the devres action that holds the drm_device reference)
      [
        "devm_drm_dev_init_release",
        "drm",
        "drivers/gpu/drm/drm_drv.c :: devm_drm_dev_init (v6.4+ action name)",
      ],
    ] as const
  ).map(([name, kind, source]) => [name, { kind, source }]),
);

/**
 * Name prefixes for families whose members are too many to list (clk/gpio/regulator/drm
 * helpers, v6.4+ action names). Checked in order after the exact table.
 */
const PREFIXES: readonly { prefix: string; kind: ResourceKind }[] = [
  { prefix: "dmam_pool_", kind: "dma-pool" },
  { prefix: "dmam_", kind: "dma-coherent" },
  { prefix: "devm_clk_", kind: "clk" },
  { prefix: "devm_gpiod_", kind: "gpio" },
  { prefix: "devm_gpio_", kind: "gpio" },
  { prefix: "devm_regulator_", kind: "regulator" },
  { prefix: "devm_drm_", kind: "drm" },
  { prefix: "drmm_", kind: "drm" },
  { prefix: "pcim_", kind: "pci" },
  { prefix: "devm_irq_", kind: "irq" },
  { prefix: "devm_ioremap", kind: "iomap" },
];

/** The classification of one release name. */
export interface KindResult {
  kind: ResourceKind;
  /** Set when the kind is a guess or unknown, saying why. */
  note?: string;
}

/**
 * Classify a devres node by its release name. `nameForm` says how the name was printed: names
 * of unloaded modules (`module-gone`) and trace-cmd's raw pointers (`pointer`) carry no name
 * at all, so they classify as `other` with a note.
 */
export function classifyDevres(name: string, nameForm?: NameForm): KindResult {
  if (nameForm === "module-gone") {
    return {
      kind: "other",
      note: "name lived in a module that was unloaded before the trace was read",
    };
  }
  if (nameForm === "pointer") {
    return { kind: "other", note: "name printed as a raw kernel pointer (trace-cmd report)" };
  }
  if (nameForm === "null" || name === "(null)") {
    // devm_krealloc() allocates the new node without a name (drivers/base/devres.c ::
    // devm_krealloc), so later lines for it print "(null)".
    return { kind: "memory", note: "unnamed node: devm_krealloc() replacement" };
  }
  const exact = EXACT.get(name);
  if (exact) return { kind: exact.kind };
  for (const p of PREFIXES) {
    if (name.startsWith(p.prefix)) return { kind: p.kind };
  }
  return { kind: "other", note: "release name not in the kind table" };
}

/**
 * DRM managed resources (drivers/gpu/drm/drm_managed.c) are one kind, whatever their action:
 * their list belongs to the drm_device, not to the struct device.
 */
export function classifyDrmm(): KindResult {
  return { kind: "drm" };
}

/** The kernel source a known release name comes from (docs, report help text). */
export function releaseNameSource(name: string): string | undefined {
  return EXACT.get(name)?.source;
}

/** Every release name in the exact table (docs/tests). */
export function knownReleaseNames(): string[] {
  return [...EXACT.keys()];
}
