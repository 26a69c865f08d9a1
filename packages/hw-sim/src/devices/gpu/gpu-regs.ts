/**
 * Registers of the simulated display device, laid out like QEMU's bochs-display
 * (hw/display/bochs-display.c): BAR0 = VRAM, BAR2 = 4 KiB MMIO with the EDID blob at 0x000,
 * the VBE "DISPI" 16-bit registers at 0x500 + 2 × index and the QEMU extension registers at
 * 0x600. The command ring at 0x700 is the simulator's addition (bochs-display has no DMA).
 */
export const GPU_VRAM_BYTES = 16 << 20;
export const GPU_MMIO_BYTES = 0x1000;

export const PCI_VGA_BOCHS_OFFSET = 0x500;
export const PCI_VGA_QEXT_OFFSET = 0x600;

export const VBE_DISPI_INDEX_ID = 0x0;
export const VBE_DISPI_INDEX_XRES = 0x1;
export const VBE_DISPI_INDEX_YRES = 0x2;
export const VBE_DISPI_INDEX_BPP = 0x3;
export const VBE_DISPI_INDEX_ENABLE = 0x4;
export const VBE_DISPI_INDEX_BANK = 0x5;
export const VBE_DISPI_INDEX_VIRT_WIDTH = 0x6;
export const VBE_DISPI_INDEX_VIRT_HEIGHT = 0x7;
export const VBE_DISPI_INDEX_X_OFFSET = 0x8;
export const VBE_DISPI_INDEX_Y_OFFSET = 0x9;
export const VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 0xa;
export const VBE_DISPI_ID5 = 0xb0c5;
export const VBE_DISPI_ENABLED = 0x01;
export const VBE_DISPI_LFB_ENABLED = 0x40;

export const PCI_VGA_QEXT_REG_SIZE = 0x0;
export const PCI_VGA_QEXT_REG_BYTEORDER = 0x4;
export const PCI_VGA_QEXT_LITTLE_ENDIAN = 0x1e1e1e1e;

/** Command ring (simulator extension). */
export const RING_BASE_LO = 0x700;
export const RING_BASE_HI = 0x704;
/** Entries (a power of two). */
export const RING_SIZE = 0x708;
export const RING_HEAD = 0x70c;
export const RING_TAIL = 0x710;
export const FENCE_ADDR_LO = 0x714;
export const FENCE_ADDR_HI = 0x718;
/** Write 1 to clear. */
export const IRQ_STATUS = 0x71c;
export const IRQ_MASK = 0x720;
export const RING_CTRL = 0x724;
export const RING_CTRL_RUN = 0x1;
export const IRQ_FENCE = 0x1;

/** One command: op, flags, source bus address, length, VRAM offset, fence value (32 bytes). */
export const CMD_BYTES = 32;
export const CMD_BLIT = 1;
export const CMD_FENCE = 2;
