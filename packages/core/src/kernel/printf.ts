/**
 * A small vsnprintf (lib/vsprintf.c subset) for simulated kasprintf/dev_printk: `%s %d %i %u
 * %x %X %c %p %%` with flags `-0`, width, and the length modifiers `h l ll z t` (ignored).
 * Enough to measure and produce the strings drivers format (`"%s %s"`, `"ahci%d"`, ...).
 */
export type PrintfArg = string | number | bigint | boolean | null;

export function kvsprintf(fmt: string, args: readonly PrintfArg[]): string {
  let out = "";
  let ai = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    let j = i + 1;
    let left = false;
    let zero = false;
    for (; j < fmt.length; j++) {
      const f = fmt[j];
      if (f === "-") left = true;
      else if (f === "0") zero = true;
      else break;
    }
    let width = 0;
    while (j < fmt.length && /[0-9]/.test(fmt[j] as string)) width = width * 10 + Number(fmt[j++]);
    while (j < fmt.length && /[hlzt]/.test(fmt[j] as string)) j++;
    const conv = fmt[j];
    i = j;
    if (conv === "%") {
      out += "%";
      continue;
    }
    const arg = args[ai++];
    let s: string;
    switch (conv) {
      case "s":
        s = arg === null || arg === undefined ? "(null)" : String(arg);
        break;
      case "d":
      case "i":
      case "u":
        s = typeof arg === "bigint" ? arg.toString() : String(Math.trunc(Number(arg)));
        break;
      case "x":
        s =
          typeof arg === "bigint"
            ? arg.toString(16)
            : Number(arg) >>> 0 === Number(arg)
              ? (Number(arg) >>> 0).toString(16)
              : Number(arg).toString(16);
        break;
      case "X":
        s = (typeof arg === "bigint" ? arg.toString(16) : Number(arg).toString(16)).toUpperCase();
        break;
      case "c":
        s = typeof arg === "number" ? String.fromCharCode(arg) : String(arg);
        break;
      case "p":
        s = String(arg);
        break;
      default:
        throw new Error(`kvsprintf: unsupported conversion "%${conv ?? ""}" in "${fmt}"`);
    }
    if (s.length < width) {
      const pad = (zero && !left ? "0" : " ").repeat(width - s.length);
      s = left ? s + pad : s.startsWith("-") && zero ? "-" + pad + s.slice(1) : pad + s;
    }
    out += s;
  }
  return out;
}
