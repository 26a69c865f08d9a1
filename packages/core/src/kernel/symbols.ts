/**
 * `%pS` call-site text for simulated functions: `name+0xOFF/0xSIZE`. Real call sites seen in
 * the 6.1 captures are spelled out where the simulator knows them; everything else gets a
 * deterministic, plausible offset/size derived from the name (FNV-1a), so the same function
 * always prints the same way.
 */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const cache = new Map<string, string>();

/**
 * `sym("ahci_init_one")` → `ahci_init_one+0x1a4/0x6c0`. `site` distinguishes several call
 * sites inside one function (different offsets, same size).
 */
export function sym(name: string, site = 0): string {
  const key = site === 0 ? name : name + "#" + site;
  let t = cache.get(key);
  if (t === undefined) {
    const h = fnv1a(name);
    const size = 0x80 + ((h & 0x3f) << 4); // 0x80..0x470
    const off = (((fnv1a(key) >>> 8) % (size - 0x10)) + 0x8) & ~0x1;
    t = `${name}+0x${off.toString(16)}/0x${size.toString(16)}`;
    cache.set(key, t);
  }
  return t;
}

/** Function name of a `%pS` text (`foo+0x1/0x2` → `foo`). */
export function symName(callSite: string): string {
  const plus = callSite.indexOf("+");
  return plus < 0 ? callSite : callSite.slice(0, plus);
}
