import { describe, expect, it } from "vitest";
import { Kernel, type KernelOptions } from "../kernel/kernel.js";
import { Device } from "../base/device.js";
import { GFP_KERNEL } from "../kernel/gfp.js";
import { devres_release_all } from "../devres/devres.js";
import {
  dma_pool_alloc,
  dma_pool_create,
  dma_pool_destroy,
  dma_pool_free,
  dmam_pool_create,
  dmam_pool_destroy,
  pools_show,
  type DmaPoolBlock,
} from "./dmapool.js";
import { devresOps, dmesgTexts, must } from "../testing/trace-helpers.js";

function make(opts: KernelOptions = {}): { k: Kernel; dev: Device } {
  const k = new Kernel({ seed: 13, trace: { kmem: false }, ...opts });
  return { k, dev: new Device(k, "0000:00:04.0") };
}

/** mm/dmapool_test.c parameter sets: size / align / boundary, and the v6.3 geometry they give. */
const PARAMS = [
  { size: 16, align: 16, boundary: 0, blockSize: 16, perPage: 256 },
  { size: 64, align: 64, boundary: 0, blockSize: 64, perPage: 64 },
  { size: 256, align: 256, boundary: 0, blockSize: 256, perPage: 16 },
  { size: 1024, align: 1024, boundary: 0, blockSize: 1024, perPage: 4 },
  { size: 4096, align: 4096, boundary: 0, blockSize: 4096, perPage: 1 },
  { size: 68, align: 32, boundary: 4096, blockSize: 96, perPage: 42 },
];

/** dmapool_test.c: clamp((PAGE_SIZE / size) * 512, 1024, 8192) blocks per run. */
const nrBlocks = (size: number): number =>
  Math.min(8192, Math.max(1024, Math.floor(4096 / size) * 512));

describe("dma pools, v6.3+ algorithm (mm/dmapool.c)", () => {
  for (const p of PARAMS) {
    it(`size:${p.size} align:${p.align} boundary:${p.boundary} → ${p.perPage} blocks of ${p.blockSize} per page`, () => {
      const { dev } = make({ version: "6.6" });
      const pool = dma_pool_create("dmapool_test", dev, p.size, p.align, p.boundary);
      expect(pool).not.toBeNull();
      if (pool === null) return;
      expect(pool.size).toBe(p.blockSize);
      expect(pool.blocksPerPage()).toBe(p.perPage);
      const n = nrBlocks(p.size);
      for (let iter = 0; iter < 3; iter++) {
        const blocks: DmaPoolBlock[] = [];
        for (let i = 0; i < n; i++) blocks.push(dma_pool_alloc(pool, GFP_KERNEL) as DmaPoolBlock);
        expect(blocks.every((b) => b !== null)).toBe(true);
        // Every block aligned, inside its page, never crossing the boundary; all distinct.
        const boundary = p.boundary === 0 ? Math.max(p.blockSize, 4096) : p.boundary;
        const bad = blocks.filter(
          (b) =>
            b.dma % p.align !== 0 ||
            Math.floor(b.dma / boundary) !== Math.floor((b.dma + p.blockSize - 1) / boundary),
        );
        expect(bad).toEqual([]);
        expect(new Set(blocks.map((b) => b.dma)).size).toBe(n);
        // Pages are allocated once, then reused: never returned before destroy.
        expect(pool.nr_pages).toBe(Math.ceil(n / p.perPage));
        expect(pool.nr_active).toBe(n);
        for (const b of blocks) dma_pool_free(pool, b.vaddr, b.dma);
        expect(pool.nr_active).toBe(0);
      }
      expect(pool.nr_blocks).toBe(pool.nr_pages * p.perPage);
      dma_pool_destroy(pool);
    });
  }

  it("carves ascending within a page and hands out the most recently freed block first (LIFO)", () => {
    const { dev } = make({ version: "6.6" });
    const pool = must(dma_pool_create("lifo", dev, 64, 64, 0));
    const a = must(dma_pool_alloc(pool, GFP_KERNEL));
    const b = must(dma_pool_alloc(pool, GFP_KERNEL));
    const c = must(dma_pool_alloc(pool, GFP_KERNEL));
    expect([b.dma - a.dma, c.dma - b.dma]).toEqual([64, 64]);
    dma_pool_free(pool, a.vaddr, a.dma);
    dma_pool_free(pool, c.vaddr, c.dma);
    expect(dma_pool_alloc(pool, GFP_KERNEL)?.dma).toBe(c.dma);
    expect(dma_pool_alloc(pool, GFP_KERNEL)?.dma).toBe(a.dma);
  });

  it("rejects bad geometry like dma_pool_create does", () => {
    const { dev } = make({ version: "6.6" });
    expect(dma_pool_create("x", null, 64, 64, 0)).toBeNull();
    expect(dma_pool_create("x", dev, 64, 3, 0)).toBeNull();
    expect(dma_pool_create("x", dev, 0, 8, 0)).toBeNull();
    expect(dma_pool_create("x", dev, 128, 8, 64)).toBeNull();
    expect(dma_pool_create("x", dev, 64, 8, 96)).toBeNull();
    expect(dma_pool_create("x", dev, 4, 0, 0)?.size).toBe(16);
  });

  it("busy at destroy: one `dma_pool_destroy <name> busy` line and the pages are leaked on purpose", () => {
    const { k, dev } = make({ version: "6.6" });
    const pool = must(dma_pool_create("nic-desc", dev, 32, 32, 0));
    const blk = must(dma_pool_alloc(pool, GFP_KERNEL));
    dma_pool_alloc(pool, GFP_KERNEL);
    const pages = k.pages.allocatedPages;
    dma_pool_destroy(pool);
    expect(dmesgTexts(k)).toEqual([" 0000:00:04.0: dma_pool_destroy nic-desc busy"]);
    expect(k.dmesg[0]).toMatchObject({ kind: "pool_busy", pool: "nic-desc", form: "v6.3" });
    expect(k.pages.allocatedPages).toBe(pages);
    expect(k.dma.lookup(blk.dma)?.live).toBe(true);
  });

  it("DMAPOOL_DEBUG catches a double free and a free of a foreign address", () => {
    const { k, dev } = make({ version: "6.6", config: { dmapoolDebug: true } });
    const pool = must(dma_pool_create("dbg", dev, 64, 64, 0));
    const a = must(dma_pool_alloc(pool, GFP_KERNEL));
    dma_pool_free(pool, a.vaddr, a.dma);
    dma_pool_free(pool, a.vaddr, a.dma);
    dma_pool_free(pool, 0x12345000, 0x12345000);
    const msgs = dmesgTexts(k);
    expect(msgs[0]).toMatch(
      /^ 0000:00:04\.0: pool_block_err dbg, dma 0x[0-9a-f]{16} already free$/,
    );
    expect(msgs[1]).toMatch(
      /^ 0000:00:04\.0: pool_block_err dbg, 00000000[0-9a-f]{8}\/0x0000000012345000 \(bad dma\)$/,
    );
    expect(pool.nr_active).toBe(0);
  });

  it("DMAPOOL_DEBUG reports a block written while free (corrupted) with a hex dump", () => {
    const { k, dev } = make({ version: "6.6", config: { dmapoolDebug: true } });
    const pool = must(dma_pool_create("dbg", dev, 32, 32, 0));
    const a = must(dma_pool_alloc(pool, GFP_KERNEL));
    dma_pool_free(pool, a.vaddr, a.dma);
    // The device writes into the freed block.
    const m = must(k.dma.lookup(a.dma));
    m.bytes()[a.dma - m.dma_handle + 20] = 0x42;
    dma_pool_alloc(pool, GFP_KERNEL);
    const msgs = dmesgTexts(k);
    expect(msgs[0]).toMatch(/pool_check_block dbg, 00000000[0-9a-f]{8} \(corrupted\)$/);
    expect(msgs[1]).toMatch(/^00000000: (a7 ){15}a7$/);
    expect(msgs[2]).toMatch(/^00000010: a7 a7 a7 a7 42/);
  });

  it("pools sysfs file", () => {
    const { dev } = make({ version: "6.6" });
    const pool = must(dma_pool_create("ahci_cmd", dev, 256, 8, 0));
    dma_pool_alloc(pool, GFP_KERNEL);
    expect(pools_show(dev)).toBe("poolinfo - 0.1\nahci_cmd            1   16  256  1\n");
  });
});

describe("dma pools before v6.3 (6.1)", () => {
  it("the conservative boundary test leaves the last block of a page unused: 16-byte pool → 255 blocks", () => {
    const { dev } = make({ version: "6.1" });
    const pool = must(dma_pool_create("old", dev, 16, 16, 0));
    expect(pool.blocksPerPage()).toBe(255);
    const blocks = Array.from({ length: 255 }, () => must(dma_pool_alloc(pool, GFP_KERNEL)));
    expect(pool.nr_pages).toBe(1);
    dma_pool_alloc(pool, GFP_KERNEL);
    expect(pool.nr_pages).toBe(2);
    expect(must(blocks.at(-1)).dma - must(blocks[0]).dma).toBe(254 * 16);
  });

  it("minimum size 4, and one busy line per busy page with the page's %p", () => {
    const { k, dev } = make({ version: "6.1" });
    const pool = must(dma_pool_create("old", dev, 2048, 8, 0));
    expect(dma_pool_create("tiny", dev, 1, 1, 0)?.size).toBe(4);
    const blocks = Array.from({ length: 4 }, () => must(dma_pool_alloc(pool, GFP_KERNEL)));
    expect(pool.nr_pages).toBe(4); // 2048 + 2048 >= 4096 boundary: one block per page
    dma_pool_free(pool, must(blocks[1]).vaddr, must(blocks[1]).dma);
    dma_pool_destroy(pool);
    const busy = k.dmesg.filter((e) => e.kind === "pool_busy");
    expect(busy).toHaveLength(3);
    expect(busy[0]).toMatchObject({ form: "legacy", pool: "old" });
    expect(dmesgTexts(k)[0]).toMatch(
      /^ 0000:00:04\.0: dma_pool_destroy old, 00000000[0-9a-f]{8} busy$/,
    );
  });

  it("legacy debug messages name dma_pool_free", () => {
    const { k, dev } = make({ version: "6.1", config: { dmapoolDebug: true } });
    const pool = must(dma_pool_create("old", dev, 64, 64, 0));
    const a = must(dma_pool_alloc(pool, GFP_KERNEL));
    dma_pool_free(pool, a.vaddr, a.dma);
    dma_pool_free(pool, a.vaddr, a.dma);
    expect(dmesgTexts(k)[0]).toMatch(/dma_pool_free old, dma 0x[0-9a-f]{16} already free$/);
  });
});

describe("managed pools", () => {
  it("dmam_pool_create adds dmam_pool_release (8 bytes); detach destroys the pool; dmam_pool_destroy logs REM", () => {
    const { k, dev } = make({ version: "6.6" });
    const p1 = must(dmam_pool_create("a", dev, 64, 8, 0));
    const p2 = must(dmam_pool_create("b", dev, 64, 8, 0));
    dmam_pool_destroy(p1);
    expect(p1.destroyed).toBe(true);
    devres_release_all(dev);
    expect(p2.destroyed).toBe(true);
    expect(devresOps(k)).toEqual([
      "ADD dmam_pool_release 8",
      "ADD dmam_pool_release 8",
      "REM dmam_pool_release 8",
      "REL dmam_pool_release 8",
    ]);
    expect(dmam_pool_create("bad", dev, 64, 3, 0)).toBeNull();
    expect(devresOps(k)).toHaveLength(4);
  });
});

describe("per-block allocation records (for DMA checkers)", () => {
  for (const version of ["6.1", "6.6"]) {
    it(`${version}: each block remembers who allocated it and who freed it, per use`, () => {
      const { k, dev } = make({ version });
      const pool = must(dma_pool_create("cbs", dev, 256, 8, 0));
      const opener = k.task("ip");
      const a = must(
        k.runAs(opener, () => k.call("e100_up", () => dma_pool_alloc(pool, GFP_KERNEL))),
      );
      const b = must(
        k.runAs(opener, () => k.call("e100_up", () => dma_pool_alloc(pool, GFP_KERNEL))),
      );
      expect(pool.blockTrack(a.vaddr)?.allocated).toMatchObject({ pid: opener.pid, comm: "ip" });
      expect(pool.blockTrack(a.vaddr)?.allocated.site).toMatch(
        /^e100_up\+0x[0-9a-f]+\/0x[0-9a-f]+$/,
      );
      expect(pool.blockTrack(a.vaddr)?.allocated.stack).toEqual([
        pool.blockTrack(a.vaddr)?.allocated.site,
      ]);
      expect(pool.blockTrack(a.vaddr)?.freed).toBeNull();
      const closer = k.task("ip");
      k.runAs(closer, () => k.call("e100_down", () => dma_pool_free(pool, b.vaddr, b.dma)));
      const tb = pool.blockTrack(b.vaddr);
      expect(tb?.freed).toMatchObject({ pid: closer.pid });
      expect(tb?.freed?.site).toMatch(/^e100_down\+/);
      expect(tb?.freed?.ns).toBeGreaterThanOrEqual(tb?.allocated.ns ?? Infinity);
      // Reuse: the freed block comes back first (LIFO) with a fresh record.
      const c = must(
        k.runAs(k.init, () => k.call("e100_alloc_cbs", () => dma_pool_alloc(pool, GFP_KERNEL))),
      );
      expect(c.vaddr).toBe(b.vaddr);
      expect(pool.blockTrack(c.vaddr)).toMatchObject({ freed: null, allocated: { pid: 1 } });
      expect(pool.blockTrack(c.vaddr)?.allocated.site).toMatch(/^e100_alloc_cbs\+/);
      // A block never handed out has no record.
      expect(pool.blockTrack(a.vaddr + 2 * pool.size)).toBeNull();
    });
  }
});
