/**
 * The user's layout and preferences, kept across sessions in localStorage. Pure functions so
 * the (de)serialisation is tested; the store calls them.
 */
export type ThemeName = "light" | "dark";
export type BottomTab = "resources" | "import";
export type SideTab = "details" | "import";

export interface Layout {
  theme: ThemeName;
  /** Width of the left column (devices + findings), px. */
  sidebarPx: number;
  /** Height of the bottom panel (resources table + details), px. */
  bottomPx: number;
  /** Width of the details panel at the bottom right, px. */
  detailsPx: number;
  /** Share of the left column given to the devices list (0..1). */
  devicesFrac: number;
  sideTab: SideTab;
}

export const DEFAULT_LAYOUT: Layout = {
  theme: "light",
  sidebarPx: 330,
  bottomPx: 300,
  detailsPx: 440,
  devicesFrac: 0.5,
  sideTab: "details",
};

export const LAYOUT_KEY = "devscope.layout.v1";

const clamp = (v: unknown, lo: number, hi: number, dflt: number): number =>
  typeof v === "number" && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : dflt;

/** Parses stored layout JSON; anything missing or malformed falls back to the default. */
export function parseLayout(json: string | null, prefersDark = false): Layout {
  const base: Layout = { ...DEFAULT_LAYOUT, theme: prefersDark ? "dark" : "light" };
  if (!json) return base;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return base;
  }
  if (typeof v !== "object" || v === null) return base;
  const o = v as Record<string, unknown>;
  return {
    theme: o["theme"] === "dark" || o["theme"] === "light" ? o["theme"] : base.theme,
    sidebarPx: clamp(o["sidebarPx"], 200, 900, base.sidebarPx),
    bottomPx: clamp(o["bottomPx"], 120, 1200, base.bottomPx),
    detailsPx: clamp(o["detailsPx"], 240, 1200, base.detailsPx),
    devicesFrac: clamp(o["devicesFrac"], 0.15, 0.85, base.devicesFrac),
    sideTab: o["sideTab"] === "import" ? "import" : "details",
  };
}

export function loadLayout(storage: Storage | undefined, prefersDark: boolean): Layout {
  try {
    return parseLayout(storage?.getItem(LAYOUT_KEY) ?? null, prefersDark);
  } catch {
    return parseLayout(null, prefersDark);
  }
}

export function saveLayout(storage: Storage | undefined, layout: Layout): void {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or disabled (private mode): the layout simply is not remembered.
  }
}
