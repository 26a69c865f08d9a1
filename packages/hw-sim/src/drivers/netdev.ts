import {
  ENODEV,
  ENOMEM,
  GFP_KERNEL,
  KERN_INFO,
  KMem,
  dev_driver_string,
  devres_add,
  devres_alloc,
  devres_free,
  kfree,
  kzalloc,
  named,
  type Device,
  type Kernel,
} from "@devscope/core";

/** sizeof(struct net_device) on 6.1 x86-64 and the queue structs alloc_netdev_mqs allocates, bytes. */
const NET_DEVICE_BYTES = 2432;
const NETDEV_ALIGN = 32;
const NETDEV_QUEUE_BYTES = 448;
const NETDEV_RX_QUEUE_BYTES = 192;

/** struct net_device_ops, the part the simulated stack calls. */
export interface NetDeviceOps<P> {
  ndo_open(nd: NetDevice<P>): number;
  ndo_stop(nd: NetDevice<P>): number;
}

/**
 * struct net_device: the kvzalloc'ed netdev with the driver's private area behind it
 * (netdev_priv), its queues, name and state. The private area's typed view is `priv.data`.
 */
export class NetDevice<P> {
  name = "eth%d";
  registered = false;
  up = false;
  /** Memory of the registered device (sysfs kobject name, queue kobjects). */
  private regMem: KMem<undefined>[] = [];
  /** SET_NETDEV_DEV: the bus device the netdev belongs to. */
  parent: Device | null = null;
  ops: NetDeviceOps<P> | null = null;
  dev_addr: number[] = [0, 0, 0, 0, 0, 0];
  freed = false;

  constructor(
    readonly kernel: Kernel,
    /** The netdev allocation (struct net_device + private area). */
    readonly mem: KMem<undefined>,
    /** netdev_priv(): an interior pointer into `mem` typed as the driver's struct. */
    readonly priv: KMem<P>,
    readonly queues: KMem<undefined>[],
  ) {}

  /** @internal register_netdev bookkeeping */
  get registration(): KMem<undefined>[] {
    return this.regMem;
  }
  set registration(v: KMem<undefined>[]) {
    this.regMem = v;
  }
}

/**
 * alloc_etherdev(sizeof_priv) → alloc_netdev_mqs (net/core/dev.c): one kvzalloc for the
 * netdev and the NETDEV_ALIGN'ed private area, then the TX and RX queue arrays.
 */
export function alloc_etherdev<P>(k: Kernel, sizeof_priv: number, priv: P): NetDevice<P> | null {
  return k.call("alloc_netdev_mqs", () => {
    const privOff = Math.ceil(NET_DEVICE_BYTES / NETDEV_ALIGN) * NETDEV_ALIGN;
    const mem = kzalloc(k, privOff + sizeof_priv + NETDEV_ALIGN - 1, GFP_KERNEL);
    if (mem === null) return null;
    const tx = kzalloc(k, NETDEV_QUEUE_BYTES, GFP_KERNEL);
    const rx = tx === null ? null : kzalloc(k, NETDEV_RX_QUEUE_BYTES, GFP_KERNEL);
    if (tx === null || rx === null) {
      kfree(k, tx);
      kfree(k, mem);
      return null;
    }
    const p = new KMem<P>(k, mem.obj, privOff, sizeof_priv, priv);
    return new NetDevice<P>(k, mem, p, [tx, rx]);
  });
}

/** free_netdev(): the queues and the netdev (with its private area) go. */
export function free_netdev<P>(nd: NetDevice<P>): void {
  const k = nd.kernel;
  k.call("free_netdev", () => {
    for (const q of nd.queues) kfree(k, q);
    kfree(k, nd.mem);
    nd.freed = true;
  });
}

interface NetdevDevres {
  ndev: NetDevice<unknown> | null;
}

/** devm_free_netdev(): the devres release of devm_alloc_etherdev (net/devres.c). */
export function devm_free_netdev(_dev: Device, res: NetdevDevres): void {
  if (res.ndev !== null) free_netdev(res.ndev);
}
named(devm_free_netdev, "devm_free_netdev");

/**
 * devm_alloc_etherdev(dev, sizeof_priv) → devm_alloc_etherdev_mqs (net/devres.c): the node
 * (struct net_device_devres, 8 bytes) first, then the netdev; added only if that worked.
 */
export function devm_alloc_etherdev<P>(
  dev: Device,
  sizeof_priv: number,
  priv: P,
): NetDevice<P> | null {
  const k = dev.kernel;
  const dr = devres_alloc(dev, devm_free_netdev, 8, GFP_KERNEL, { ndev: null } as NetdevDevres);
  if (dr === null) return null;
  const nd = alloc_etherdev(k, sizeof_priv, priv);
  if (nd === null) {
    devres_free(dev, dr);
    return null;
  }
  dr.ndev = nd as NetDevice<unknown>;
  devres_add(dev, dr);
  return nd;
}

const names = new WeakMap<Kernel, Set<string>>();

/** netdev_printk: `<driver> <bus id> <ifname>: text` (net/core/dev.c :: __netdev_printk). */
export function netdev_printk<P>(level: number, nd: NetDevice<P>, text: string): void {
  const parent = nd.parent;
  const prefix =
    parent === null ? `(NULL net_device)` : `${dev_driver_string(parent)} ${parent.name}`;
  nd.kernel.printk(level, `${prefix} ${nd.name}: ${text}`);
}

export function netdev_info<P>(nd: NetDevice<P>, text: string): void {
  netdev_printk(KERN_INFO, nd, text);
}

/**
 * register_netdev(): pick the first free `ethN` name (dev_alloc_name), register the device
 * (its kobject name and queue kobjects are allocated by the net core), publish it.
 */
export function register_netdev<P>(nd: NetDevice<P>): number {
  const k = nd.kernel;
  let taken = names.get(k);
  if (taken === undefined) {
    taken = new Set();
    names.set(k, taken);
  }
  let i = 0;
  while (taken.has(`eth${i}`)) i++;
  const name = `eth${i}`;
  const kobjName = k.at("kobject_set_name_vargs+0x1c/0x90", () =>
    kzalloc(k, name.length + 1, GFP_KERNEL),
  );
  const queues =
    kobjName === null
      ? null
      : k.at("netdev_queue_update_kobjects+0x7c/0x190", () => kzalloc(k, 96, GFP_KERNEL));
  if (kobjName === null || queues === null) {
    kfree(k, kobjName);
    return -ENOMEM;
  }
  taken.add(name);
  nd.name = name;
  nd.registration = [kobjName, queues];
  nd.registered = true;
  k.tick(20_000);
  return 0;
}

/** unregister_netdev(): close it if up (ndo_stop), then unpublish and free the registration. */
export function unregister_netdev<P>(nd: NetDevice<P>): void {
  const k = nd.kernel;
  if (!nd.registered) {
    k.warn(
      "net/core/dev.c",
      "unregister_netdevice_queue",
      `unregister_netdevice: ${nd.name} is not registered`,
    );
    return;
  }
  k.call("unregister_netdev", () => {
    if (nd.up) dev_close(nd);
    nd.registered = false;
    names.get(k)?.delete(nd.name);
    for (const m of nd.registration) k.at("kobject_put+0x9c/0x1d0", () => kfree(k, m));
    nd.registration = [];
    k.tick(10_000);
  });
}

/** dev_open() (`ip link set dev X up`): ndo_open, then the device is up. */
export function dev_open<P>(nd: NetDevice<P>): number {
  if (nd.up) return 0;
  if (!nd.registered || nd.ops === null) return -ENODEV;
  const ops = nd.ops;
  const ret = nd.kernel.call("__dev_open", () => ops.ndo_open(nd));
  if (ret === 0) nd.up = true;
  return ret;
}

/** `ip link set dev X up` on a driver's netdev: dev_open(), or -ENODEV when it has none. */
export function netdev_up<P>(nd: NetDevice<P> | null): number {
  return nd === null ? -ENODEV : dev_open(nd);
}

/** `ip link set dev X down` on a driver's netdev (nothing when it has none). */
export function netdev_down<P>(nd: NetDevice<P> | null): void {
  if (nd !== null) dev_close(nd);
}

/** dev_close() (`ip link set dev X down`, unregister): ndo_stop. */
export function dev_close<P>(nd: NetDevice<P>): void {
  if (!nd.up || nd.ops === null) return;
  const ops = nd.ops;
  nd.kernel.call("__dev_close_many", () => ops.ndo_stop(nd));
  nd.up = false;
}
