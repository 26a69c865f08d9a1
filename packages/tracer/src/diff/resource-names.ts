import type { Analysis, Resource, ResourceKind } from "../model/analysis.js";
import { classifyDevres } from "../analysis/resource-kinds.js";

/**
 * The name a resource is compared by.
 *
 * devres names are the release function's name. Three printed forms hide it:
 * - `(0xADDR:name)[UNSAFE-MEMORY]` (`module`): the importer already kept `name`;
 * - `(0xADDR)[UNSAFE-MEMORY]` (`module-gone`): the module was unloaded before the trace was
 *   read, so only the string's address is left;
 * - trace-cmd's raw pointers (`pointer`), named by the analysis where a kmalloc call site
 *   allows (`recoveredName`).
 *
 * Two ways name what is left, in this order:
 * 1. Page offset. A module is loaded at a page-aligned address (kernel/module/main.c ::
 *    module_alloc, a vmalloc area), and the core kernel moves by whole 2 MiB steps under
 *    KASLR (arch/x86/boot/compressed/kaslr.c :: find_random_virt_addr, CONFIG_PHYSICAL_ALIGN),
 *    so a string's offset within its 4 KiB page is the same in every boot of the same build.
 *    When either trace prints `(0xffffffffc07134b6:ata_host_stop)`, a nameless
 *    `(0xffffffffc06424b6)` of the other trace (module area, offset 0x4b6) is `ata_host_stop`.
 *    Offsets that two different names share are ambiguous and never used.
 * 2. Alignment. A nameless node that the sequence alignment places, with equal size, against
 *    a named node at every (or at least two thirds of the) positions where it occurs takes
 *    that name (diff-analyses.ts runs a first alignment to collect these votes).
 * What neither names is compared by its address class and offset (`?+0x4b6`), so two
 * nameless nodes of one module still match each other.
 */

/** Compared identity of one resource. */
export interface ResourceName {
  name: string;
  kind: ResourceKind;
  /** How the name was inferred, when the trace did not print it. */
  inferred?: "offset" | "alignment";
  /** Set when nothing named it: its address key (`module:4b6`), which is also its identity. */
  unknown?: string;
}

/** `(0xffffffffc0642715:ata_devres_release)[UNSAFE-MEMORY]` left in a name by another producer. */
const MODULE_FORM = /^\((0x[0-9a-fA-F]+)(?::([^)]*))?\)\[UNSAFE-MEMORY\]$/;
const HEX_ADDR = /^(?:0x)?([0-9a-fA-F]{4,16})$/;

/**
 * Where a name address lives, and its offset within the page: `module:4b6`, `core:2a2`.
 * Module-form names are module memory by construction (trace_check_vprintf marks them
 * UNSAFE). A raw trace-cmd pointer is module memory from 0xffffffffc0000000 up (x86-64:
 * MODULES_VADDR is the end of the 1 GiB kernel image area, arch/x86/include/asm/pgtable_64_types.h),
 * core kernel below.
 */
export function nameAddrKey(addr: string, form: string | undefined): string | undefined {
  const m = HEX_ADDR.exec(addr.trim());
  if (m?.[1] === undefined) return undefined;
  const hex = m[1].toLowerCase().padStart(16, "0");
  const offset = hex.slice(-3).replace(/^0+(?=.)/, "");
  const cls = form === "pointer" && hex.slice(0, 9) < "ffffffffc" ? "core" : "module";
  return `${cls}:${offset}`;
}

/** The label of a nameless node: `?+0x4b6` (module area) or `?core+0x2a2`. */
export function unknownLabel(key: string): string {
  const offset = key.slice(key.indexOf(":") + 1);
  return key.startsWith("core:") ? `?core+0x${offset}` : `?+0x${offset}`;
}

/** Names learned from every resource of the given analyses whose name and address are both known. */
export class NameResolver {
  readonly #byKey = new Map<string, string>();
  readonly #ambiguous = new Set<string>();
  readonly #aligned = new Map<string, string>();
  /** Offset inferences made, for the diff's notes: key -> name. */
  readonly usedOffset = new Map<string, string>();
  /** Alignment inferences made: key -> name. */
  readonly usedAlignment = new Map<string, string>();
  /** Resources left without a name (unknown), count. */
  unknownCount = 0;

  constructor(analyses: readonly Analysis[]) {
    for (const a of analyses) for (const r of a.resources) this.#learn(r);
  }

  #learn(r: Resource): void {
    if (r.nameAddr === undefined) return;
    let known: string | undefined;
    if (r.nameForm === "module") known = r.name;
    else if (r.recoveredName !== undefined) known = r.recoveredName;
    if (known === undefined || known === "") return;
    const key = nameAddrKey(r.nameAddr, r.nameForm);
    if (key === undefined || this.#ambiguous.has(key)) return;
    const prev = this.#byKey.get(key);
    if (prev === undefined) this.#byKey.set(key, known);
    else if (prev !== known) {
      this.#byKey.delete(key);
      this.#ambiguous.add(key);
    }
  }

  /** Names decided from a first alignment (key -> name); used by later resolve() calls. */
  learnFromAlignment(names: ReadonlyMap<string, string>): void {
    for (const [k, n] of names) this.#aligned.set(k, n);
  }

  /** The compared name and kind of a resource. */
  resolve(r: Resource): ResourceName {
    if (r.list === "drmm") return { name: r.name, kind: r.kind };
    if (r.recoveredName !== undefined) return { name: r.recoveredName, kind: r.kind };
    let form = r.nameForm;
    let name = r.name;
    let addr = r.nameAddr;
    const printed = MODULE_FORM.exec(name);
    if (printed?.[1] !== undefined) {
      // Another producer left the printed module form in `name`.
      addr = printed[1];
      if (printed[2] !== undefined && printed[2] !== "") return named(printed[2]);
      form = "module-gone";
      name = printed[1];
    }
    if (form !== "module-gone" && form !== "pointer") return { name, kind: r.kind };
    const key = nameAddrKey(addr ?? name, form);
    if (key === undefined) {
      this.unknownCount++;
      return { name, kind: r.kind, unknown: `raw:${name}` };
    }
    const known = this.#byKey.get(key);
    if (known !== undefined) {
      this.usedOffset.set(key, known);
      return { ...named(known), inferred: "offset" };
    }
    const aligned = this.#aligned.get(key);
    if (aligned !== undefined) {
      this.usedAlignment.set(key, aligned);
      return { ...named(aligned), inferred: "alignment" };
    }
    this.unknownCount++;
    return { name: unknownLabel(key), kind: r.kind, unknown: key };
  }
}

function named(name: string): ResourceName {
  return { name, kind: classifyDevres(name).kind };
}
