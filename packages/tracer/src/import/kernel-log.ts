/**
 * Classifies one kernel log message (a dmesg line after its prefix, or the text of a
 * printk:console trace event) into the event it describes. Each shape is checked against the
 * kernel code that prints it (cited per case). Anything else is a plain `log` fact.
 *
 * Every line is classified on its own (no state across lines), so a file split into chunks for
 * parallel parsing classifies exactly like the whole file.
 */
import type {
  DevresEvent,
  DrmresEvent,
  DrmresReleaseEvent,
  EventOrigin,
  KernelReportEvent,
  LogEvent,
  PoolBusyEvent,
  ProbeFailedEvent,
  ResourcesBeforeProbeEvent,
} from "../model/events.js";
import { parseOpNodeNameSize } from "./devres-payload.js";

type Fact<T> = Omit<T, keyof EventOrigin | "via">;

/** What a kernel log message says, without origin (ts/line/cpu...) and `via`. */
export type KernelLogFact =
  | Fact<DevresEvent>
  | Fact<DrmresEvent>
  | Fact<DrmresReleaseEvent>
  | Fact<ProbeFailedEvent>
  | Fact<ResourcesBeforeProbeEvent>
  | Fact<PoolBusyEvent>
  | Fact<KernelReportEvent>
  | Fact<LogEvent>;

export interface DevPrefix {
  driver?: string;
  dev: string;
  rest: string;
}

/**
 * Splits the dev_printk prefix `"%s %s: "` (dev_driver_string, dev_name) off a message
 * (drivers/base/core.c :: __dev_printk). dev_driver_string is the driver, else the bus or
 * class name, else "" (then the line starts with a space). The device token must look like a
 * device name (contain a digit or one of `-.:`), which keeps prose such as `Hello world: x`
 * from being read as a prefix.
 */
export function parseDevPrefix(text: string): DevPrefix | null {
  // dev_printk "%s %s: ", or netdev_printk "%s %s %s: " (driver, dev_name, netdev name:
  // net/core/dev.c :: __netdev_printk), whose message belongs to the parent device.
  const m = /^(\S*) (\S+?): (.*)$/s.exec(text) ?? /^(\S+) (\S+) [^\s:]+: (.*)$/s.exec(text);
  if (!m) return null;
  const driver = m[1] as string;
  const dev = m[2] as string;
  if (driver.endsWith(":") || driver.includes("[") || !/[0-9.:-]/.test(dev)) return null;
  if (dev.startsWith("[") || dev.startsWith("(") || dev.endsWith(":")) return null;
  const out: DevPrefix = { dev, rest: m[3] as string };
  if (driver !== "") out.driver = driver;
  return out;
}

/**
 * `[drm:<caller>] <msg>` (drm_dev_dbg's "[" DRM_NAME ":%ps] " prefix): the caller's function
 * name (`%ps` may append " [drm]") and the message.
 */
function drmDebugMessage(text: string): { func: string; msg: string } | null {
  if (!text.startsWith("[drm:")) return null;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b) depth++;
    else if (c === 0x5d) {
      depth--;
      if (depth === 0) {
        const caller = text.slice(5, i);
        const sp = caller.indexOf(" ");
        const msg = text.charCodeAt(i + 1) === 0x20 ? text.slice(i + 2) : text.slice(i + 1);
        return { func: sp < 0 ? caller : caller.slice(0, sp), msg };
      }
    }
  }
  return null;
}

/**
 * The function that usually prints each drmres op (drivers/gpu/drm/drm_managed.c: add_dr,
 * drm_managed_release, and del_dr inlined into drmm_kfree); `func` is omitted when it is this
 * one (the writers in src/format/ print it back the same way).
 */
const USUAL_DRM_FUNC: Record<string, string> = {
  ADD: "add_dr",
  REL: "drm_managed_release",
  DEL: "drmm_kfree",
};

const KASAN = /^BUG: KASAN: ([A-Za-z-]+(?: or [A-Za-z-]+)?) in (\S+)/;
const WARNING = /^WARNING: (?:CPU: \d+ PID: \d+ at |at )(.+)$/;
const DMAR =
  /DMAR: \[(?:DMA Read|DMA Write|INTR-REMAP)[^\]]*\] Request device \[(?:0x)?([0-9a-fA-F]{2}):(?:0x)?([0-9a-fA-F]{2})\.([0-7])\](?:.*?fault addr (0x[0-9a-fA-F]+|[0-9a-fA-F]+))?/;
const AMDVI =
  /AMD-Vi: Event logged \[IO_PAGE_FAULT (?:device=([0-9a-fA-F:.]+) )?domain=\S+ address=(0x[0-9a-fA-F]+)/;

function kasanKind(type: string): KernelReportEvent["report"] {
  // mm/kasan/report.c :: get_bug_type / print_error_description ("%s in %pS").
  if (type.includes("use-after-free")) return "kasan-use-after-free";
  if (type.includes("double-free")) return "kasan-double-free";
  if (type.includes("invalid-free")) return "kasan-invalid-free";
  if (type.includes("out-of-bounds")) return "kasan-out-of-bounds";
  return "kasan-other";
}

/** Normalises a BDF printed without PCI domain (`00:02.0`) to dev_name form (`0000:00:02.0`). */
function bdf(bus: string, slot: string, fn: string): string {
  return `0000:${bus.toLowerCase()}:${slot.toLowerCase()}.${fn}`;
}

function withDev<T extends object>(
  fact: T,
  prefix: DevPrefix | null,
): T & { dev?: string; driver?: string } {
  if (!prefix) return fact;
  const out: T & { dev?: string; driver?: string } = { ...fact, dev: prefix.dev };
  if (prefix.driver !== undefined) out.driver = prefix.driver;
  return out;
}

/**
 * The dev_printk prefix of a message known to follow it (`marker` = the message's first
 * words), for device names with spaces (`Fixed MDIO bus.0`) that parseDevPrefix cannot split
 * from prose: the driver string is the first token (it may be empty), the device is the rest.
 */
function anchoredPrefix(text: string, marker: string): DevPrefix | null {
  const at = text.indexOf(`: ${marker}`);
  if (at <= 0) return null;
  const head = text.slice(0, at);
  // A device name never holds ": " (that would be another prefix, e.g. syslog's "kernel: ").
  if (head.includes(": ")) return null;
  const sp = head.indexOf(" ");
  if (sp < 0 || sp === head.length - 1) return null;
  const out: DevPrefix = { dev: head.slice(sp + 1), rest: text.slice(at + 2) };
  if (sp > 0) out.driver = head.slice(0, sp);
  return out;
}

/**
 * Messages whose dev_printk prefix anchoredPrefix finds when parseDevPrefix cannot, each with
 * the test its whole message must pass (so prose that merely mentions the words keeps no prefix).
 */
const ANCHORED: readonly [string, (rest: string) => boolean][] = [
  ["DEVRES ", (r) => parseOpNodeNameSize(r.slice(7), ["ADD", "REL", "REM", "REPLACE"]) !== null],
  ["probe with driver ", (r) => /^probe with driver \S+ failed with error -?\d+$/.test(r)],
  ["Resources present before probing", (r) => r === "Resources present before probing"],
];

export function classifyKernelLog(text: string): KernelLogFact {
  let prefix = parseDevPrefix(text);
  if (
    prefix === null ||
    prefix.dev.length === 0 ||
    !/^(?:DEVRES |probe with|Resources)/.test(prefix.rest)
  ) {
    for (const [marker, whole] of ANCHORED) {
      const a = text.includes(marker) ? anchoredPrefix(text, marker) : null;
      if (a !== null && whole(a.rest)) {
        prefix = a;
        break;
      }
    }
  }
  const rest = prefix ? prefix.rest : text;

  // drivers/base/devres.c :: devres_dbg -> dev_err(dev, "DEVRES %3s %p %s (%zu bytes)\n")
  if (prefix && rest.startsWith("DEVRES ")) {
    const r = parseOpNodeNameSize(rest.slice(7), ["ADD", "REL", "REM", "REPLACE"]);
    if (r) {
      const fact: Fact<DevresEvent> = {
        kind: "devres",
        dev: prefix.dev,
        op: r.op as DevresEvent["op"],
        node: r.node,
        name: r.name,
        size: r.size,
      };
      if (r.nameForm !== undefined) fact.nameForm = r.nameForm;
      if (r.nameAddr !== undefined) fact.nameAddr = r.nameAddr;
      if (prefix.driver !== undefined) fact.driver = prefix.driver;
      return fact;
    }
  }

  // drivers/gpu/drm/drm_managed.c via drm_dev_dbg: "[drm:<caller>] ADD %p %s (%zu bytes)",
  // "REL ...", "DEL ...", "drmres release begin/end"; without a device the prefix is absent.
  const drm = drmDebugMessage(rest);
  if (drm !== null) {
    if (drm.msg === "drmres release begin" || drm.msg === "drmres release end") {
      const fact: Fact<DrmresReleaseEvent> = {
        kind: "drmres_release",
        phase: drm.msg.endsWith("begin") ? "begin" : "end",
        func: drm.func,
      };
      return withDev(fact, prefix);
    }
    const r = parseOpNodeNameSize(drm.msg, ["ADD", "REL", "DEL"]);
    if (r) {
      const fact: Fact<DrmresEvent> = {
        kind: "drmres",
        dev: prefix ? prefix.dev : "",
        op: r.op as DrmresEvent["op"],
        node: r.node,
        name: r.name,
        size: r.size,
      };
      if (prefix?.driver !== undefined) fact.driver = prefix.driver;
      if (USUAL_DRM_FUNC[r.op] !== drm.func) fact.func = drm.func;
      return fact;
    }
  }

  // drivers/base/dd.c :: call_driver_probe, up to v6.9:
  //   pr_warn("%s: probe of %s failed with error %d\n", drv->name, dev_name(dev), ret)
  const oldProbe = /^(\S+): probe of (.+) failed with error (-?\d+)$/.exec(text);
  if (oldProbe)
    return {
      kind: "probe_failed",
      driver: oldProbe[1] as string,
      dev: oldProbe[2] as string,
      errno: Number(oldProbe[3]),
    };
  // v6.10+: dev_err(dev, "probe with driver %s failed with error %d\n", drv->name, ret)
  if (prefix) {
    const newProbe = /^probe with driver (\S+) failed with error (-?\d+)$/.exec(rest);
    if (newProbe)
      return {
        kind: "probe_failed",
        driver: newProbe[1] as string,
        dev: prefix.dev,
        errno: Number(newProbe[2]),
        form: "dev",
      };
    // drivers/base/dd.c :: really_probe: dev_crit(dev, "Resources present before probing\n")
    if (rest === "Resources present before probing") {
      const fact: Fact<ResourcesBeforeProbeEvent> = {
        kind: "resources_before_probe",
        dev: prefix.dev,
      };
      if (prefix.driver !== undefined) fact.driver = prefix.driver;
      return fact;
    }
  }

  // mm/dmapool.c :: dma_pool_destroy: v6.3+ "%s %s busy\n" (__func__, name), once per pool;
  // before: "%s %s, %p busy\n" (__func__, name, page vaddr), once per busy page.
  if (rest.startsWith("dma_pool_destroy ") && rest.endsWith(" busy")) {
    const body = rest.slice(17, rest.length - 5);
    const legacy = /^(.*), (\S+)$/s.exec(body);
    const fact: Fact<PoolBusyEvent> = legacy
      ? { kind: "pool_busy", pool: legacy[1] as string, addr: legacy[2] as string, form: "legacy" }
      : { kind: "pool_busy", pool: body, form: "v6.3" };
    return withDev(fact, prefix);
  }

  // mm/kasan/report.c :: print_error_description: "BUG: KASAN: %s in %pS\n"
  const kasan = KASAN.exec(text);
  if (kasan)
    return {
      kind: "report",
      report: kasanKind(kasan[1] as string),
      text,
      func: kasan[2] as string,
    };

  // arch/x86/mm/fault.c :: page_fault_oops: pr_alert("BUG: unable to handle page fault for
  // address: %px\n") / "BUG: kernel NULL pointer dereference, address: %px\n".
  const pf =
    /^BUG: (?:unable to handle page fault for address|kernel NULL pointer dereference, address): ([0-9a-fA-Fx]+)/.exec(
      text,
    );
  if (pf) return { kind: "report", report: "page-fault", text, addr: pf[1] as string };

  // kernel/irq/manage.c :: __free_irq: WARN(1, "Trying to free already-free IRQ %d\n", irq)
  const irq = /Trying to free already-free IRQ (\d+)/.exec(text);
  if (irq)
    return withDev({ kind: "report" as const, report: "irq-double-free" as const, text }, prefix);

  // kernel/panic.c :: __warn: "WARNING: CPU: %d PID: %d at %pS" (with "%s:%d " file:line
  // before the symbol when known); pre-4.x "WARNING: at %s:%d %pS()".
  const warn = WARNING.exec(text);
  if (warn) {
    const where = (warn[1] as string).trim();
    const func = where.slice(where.lastIndexOf(" ") + 1);
    return { kind: "report", report: "warning", text, func };
  }

  // drivers/iommu/intel/dmar.c :: dmar_fault_do_one: "[%s ...] Request device [%02x:%02x.%d] fault addr ..."
  const dmar = DMAR.exec(text);
  if (dmar) {
    const fact: Fact<KernelReportEvent> = {
      kind: "report",
      report: "iommu-fault",
      text,
      dev: bdf(dmar[1] as string, dmar[2] as string, dmar[3] as string),
    };
    if (dmar[4] !== undefined) fact.addr = dmar[4];
    return fact;
  }
  // drivers/iommu/amd/iommu.c :: amd_iommu_report_page_fault: "Event logged [IO_PAGE_FAULT ..."
  const amd = AMDVI.exec(text);
  if (amd) {
    const fact: Fact<KernelReportEvent> = {
      kind: "report",
      report: "iommu-fault",
      text,
      addr: amd[2] as string,
    };
    const dev =
      amd[1] !== undefined
        ? amd[1].split(":").length === 2
          ? `0000:${amd[1]}`
          : amd[1]
        : prefix?.dev;
    if (dev !== undefined) fact.dev = dev;
    return fact;
  }

  const log: Fact<LogEvent> = { kind: "log", text };
  return withDev(log, prefix);
}
