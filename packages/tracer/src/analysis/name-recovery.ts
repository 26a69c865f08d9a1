import type { DevresEvent, TraceEvent } from "../model/events.js";

/**
 * Recovering release names that the trace printed as raw pointers.
 *
 * `trace-cmd report` cannot dereference the tracepoint's `const char *name` field and prints
 * the pointer instead; the same pointer always means the same name within one boot. When
 * kmem:kmalloc was traced, the importer attaches the node's kmalloc `call_site` (`allocSite`):
 * the caller of the devres allocator. For the kernel's own managed helpers that caller fixes
 * the release name (the helper passes its own release function to devres_alloc()), so one
 * node with such a call site names every node that shares its name pointer.
 */
const SITE_NAMES: ReadonlyMap<string, string> = new Map([
  // drivers/pinctrl/core.c :: pinctrl_bind_pins -> devm_kzalloc(dev, sizeof(*dev->pins))
  ["pinctrl_bind_pins", "devm_kzalloc_release"],
  ["devm_pinctrl_get", "devm_pinctrl_release"],
  ["devm_request_threaded_irq", "devm_irq_release"],
  ["devm_request_any_context_irq", "devm_irq_release"],
  ["dmam_alloc_attrs", "dmam_release"],
  ["dmam_pool_create", "dmam_pool_release"],
  ["pcim_enable_device", "pcim_release"],
  ["pcim_iomap_table", "pcim_iomap_release"],
  ["devres_open_group", "grp<"],
  ["__devm_add_action", "devm_action_release"],
  ["devm_add_action", "devm_action_release"],
  ["__devm_ioremap", "devm_ioremap_release"],
  ["devm_ioport_map", "devm_ioport_map_release"],
  ["__devm_request_region", "devm_region_release"],
  ["devm_device_add_group", "devm_attr_group_remove"],
  ["devm_device_add_groups", "devm_attr_groups_remove"],
  ["msi_setup_device_data", "msi_device_data_release"],
  ["__devm_clk_get", "devm_clk_release"],
  ["_devm_regulator_get", "devm_regulator_release"],
  // devm_kmalloc()'s helpers: the call site is inside them (drivers/base/devres.c).
  ["devm_kvasprintf", "devm_kzalloc_release"],
  ["devm_kmemdup", "devm_kzalloc_release"],
  ["devm_kstrdup", "devm_kzalloc_release"],
]);

/** Bound of the call-site memo (entries). */
const MEMO_LIMIT = 1 << 16;
const functionOfSite = new Map<string, string | undefined>();

/** `pinctrl_bind_pins+0x31/0x280 [mod]` -> `pinctrl_bind_pins`; bare addresses -> undefined. */
export function callSiteFunction(site: string): string | undefined {
  // A trace has a few thousand distinct call sites and asks about each many times: memoized.
  const hit = functionOfSite.get(site);
  if (hit !== undefined || functionOfSite.has(site)) return hit;
  const m = /^([A-Za-z_][\w.]*)\+0x/.exec(site);
  const fn =
    m?.[1] === undefined
      ? /^[A-Za-z_][\w.]*$/.test(site)
        ? site
        : undefined
      : m[1].replace(/\.(cold|part\.\d+|isra\.\d+|constprop\.\d+)$/, "");
  if (functionOfSite.size >= MEMO_LIMIT) functionOfSite.clear();
  functionOfSite.set(site, fn);
  return fn;
}

/** `... [ata_piix]` -> `ata_piix`. */
export function callSiteModule(site: string): string | undefined {
  return /\[([\w-]+)\]\s*$/.exec(site)?.[1];
}

/**
 * Build the name-pointer -> name map for a trace whose devres names are pointers. Returns an
 * empty map when no event needs it.
 */
export function recoverPointerNames(events: readonly TraceEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  let pointerNames = 0;
  // Last ADD per device, to name the devm_pinctrl_release node that follows the
  // pinctrl_bind_pins allocation (its own kmalloc is usually a different call site).
  const lastAdd = new Map<string, DevresEvent>();
  for (const e of events) {
    if (e.kind !== "devres" || e.nameForm !== "pointer") continue;
    pointerNames++;
    const key = e.nameAddr ?? e.name;
    if (e.op === "ADD") {
      const fn = e.allocSite !== undefined ? callSiteFunction(e.allocSite) : undefined;
      const fromSite = fn !== undefined ? SITE_NAMES.get(fn) : undefined;
      if (fromSite !== undefined && !names.has(key)) names.set(key, fromSite);
      const prev = lastAdd.get(e.dev);
      if (
        prev !== undefined &&
        prev.allocSite !== undefined &&
        callSiteFunction(prev.allocSite) === "pinctrl_bind_pins" &&
        e.size === 8 &&
        !names.has(key)
      ) {
        // really_probe -> pinctrl_bind_pins: devm_kzalloc(dev_pin_info) then devm_pinctrl_get().
        names.set(key, "devm_pinctrl_release");
      }
      lastAdd.set(e.dev, e);
    }
  }
  return pointerNames === 0 ? new Map() : names;
}
