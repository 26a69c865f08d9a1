/**
 * Kernel names of simulated functions. The kernel names devres nodes, drm managed actions and
 * devm actions after the C identifier of their release function (`devres_alloc(release, …)`
 * passes `#release`, drivers/base/devres.c; `drmm_add_action(dev, action, data)` passes
 * `#action`, drivers/gpu/drm/drm_managed.c), and prints call frames with `%pS`. The simulator's
 * equivalent of the identifier is the JavaScript function's `.name` — which a minifying bundler
 * renames (`devm_irq_release` → `a`). A function marked with `named(fn, "devm_irq_release")`
 * carries its kernel name on the function object itself, so a minified bundle still prints the
 * kernel's names; `kernelName(fn)` reads it back.
 */

/** Where `named()` stores the kernel name on a function object (a symbol: never minified, never enumerable). */
export const KERNEL_NAME: unique symbol = Symbol("devscope.kernelName");

interface KernelNamed {
  [KERNEL_NAME]?: string;
}

/** A C identifier: what `#fn` stringifies to. */
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Give `fn` its kernel name (the C identifier the kernel would stringify or print) and return
 * it unchanged, so it can wrap a function expression:
 * `const handler = named((irq, dev) => …, "rtl8169_interrupt")`. Throws on a name that is not a
 * C identifier, or when `fn` already carries a different one (one function, one kernel name).
 */
export function named<F extends object>(fn: F, name: string): F {
  if (!C_IDENTIFIER.test(name)) throw new Error(`named(): "${name}" is not a C identifier`);
  const had = (fn as KernelNamed)[KERNEL_NAME];
  if (had !== undefined && had !== name)
    throw new Error(`named(): the function is already named "${had}", not "${name}"`);
  if (had === undefined)
    Object.defineProperty(fn, KERNEL_NAME, {
      value: name,
      enumerable: false,
      writable: false,
      configurable: false,
    });
  return fn;
}

/** The kernel name `named()` gave `fn`, or undefined when it carries none. */
export function explicitKernelName(fn: object): string | undefined {
  return (fn as KernelNamed)[KERNEL_NAME];
}

/**
 * The kernel name of `fn`: its `named()` name, else its JavaScript name (correct in unbundled
 * code, wrong after minification), else `fallback` for anonymous functions.
 */
export function kernelName(fn: { readonly name: string }, fallback = "(anonymous)"): string {
  return (fn as KernelNamed)[KERNEL_NAME] ?? (fn.name !== "" ? fn.name : fallback);
}
