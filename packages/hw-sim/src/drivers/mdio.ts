import {
  GFP_KERNEL,
  devres_add,
  devres_alloc,
  devres_free,
  kfree,
  kzalloc,
  named,
  type Device,
  type KMem,
} from "@devscope/core";

/** sizeof(struct mii_bus) on 6.1 x86-64, bytes. */
const MII_BUS_BYTES = 3224;

/** struct mii_bus, reduced: its memory and whether it is registered. */
export interface MiiBus {
  mem: KMem<undefined>;
  registered: boolean;
  name: string;
}

interface MdiobusDevres {
  mii: MiiBus | null;
}

/** drivers/net/phy/mdio_devres.c :: devm_mdiobus_free — mdiobus_free(). */
export function devm_mdiobus_free(dev: Device, dr: MdiobusDevres): void {
  if (dr.mii !== null) kfree(dev.kernel, dr.mii.mem);
}
named(devm_mdiobus_free, "devm_mdiobus_free");

/** devm_mdiobus_unregister — mdiobus_unregister(). */
export function devm_mdiobus_unregister(_dev: Device, dr: MdiobusDevres): void {
  if (dr.mii !== null) dr.mii.registered = false;
}
named(devm_mdiobus_unregister, "devm_mdiobus_unregister");

/** devm_mdiobus_alloc(dev): the node (8 bytes) first, then mdiobus_alloc_size. */
export function devm_mdiobus_alloc(dev: Device): MiiBus | null {
  const k = dev.kernel;
  const dr = devres_alloc(dev, devm_mdiobus_free, 8, GFP_KERNEL, { mii: null } as MdiobusDevres);
  if (dr === null) return null;
  const mem = k.call("mdiobus_alloc_size", () => kzalloc(k, MII_BUS_BYTES, GFP_KERNEL));
  if (mem === null) {
    devres_free(dev, dr);
    return null;
  }
  dr.mii = { mem, registered: false, name: "" };
  devres_add(dev, dr);
  return dr.mii;
}

/** devm_mdiobus_register(dev, bus) → __devm_mdiobus_register: node first, then mdiobus_register. */
export function devm_mdiobus_register(dev: Device, bus: MiiBus): number {
  const dr = devres_alloc(dev, devm_mdiobus_unregister, 8, GFP_KERNEL, {
    mii: null,
  } as MdiobusDevres);
  if (dr === null) return -12;
  bus.registered = true;
  dr.mii = bus;
  devres_add(dev, dr);
  return 0;
}
