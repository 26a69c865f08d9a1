/**
 * Register file of the simulated NIC: the 82540EM (e1000) layout QEMU's hw/net/e1000.c models
 * (BAR0, 128 KiB, 32-bit registers), plus an r8169-style tally-counter dump
 * (CounterAddrLow/High + CounterDump in drivers/net/ethernet/realtek/r8169_main.c) and a chip
 * id register in the e1000's unused space.
 */
export const NIC_BAR0_BYTES = 0x20000;

export const CTRL = 0x0000;
export const STATUS = 0x0008;
export const ICR = 0x00c0;
export const ICS = 0x00c8;
export const IMS = 0x00d0;
export const IMC = 0x00d8;
export const RCTL = 0x0100;
export const TCTL = 0x0400;
export const RDBAL = 0x2800;
export const RDBAH = 0x2804;
export const RDLEN = 0x2808;
export const RDH = 0x2810;
export const RDT = 0x2818;
export const TDBAL = 0x3800;
export const TDBAH = 0x3804;
export const TDLEN = 0x3808;
export const TDH = 0x3810;
export const TDT = 0x3818;
/** Tally counters dump (r8169 CounterAddrLow/High, CounterDump bit in the command register). */
export const CNTR_ADDR_LO = 0x4100;
export const CNTR_ADDR_HI = 0x4104;
export const CNTR_CMD = 0x4108;
/** Chip identification (the r8169 XID lives in TxConfig bits 31:20; here a register of its own). */
export const CHIP_XID = 0x4110;
export const RAL0 = 0x5400;
export const RAH0 = 0x5404;

export const CTRL_RST = 1 << 26;
export const STATUS_FD = 0x1;
export const STATUS_LU = 0x2;
export const RCTL_EN = 0x2;
export const TCTL_EN = 0x2;
export const RAH_AV = 0x80000000;
export const CNTR_DUMP = 0x8;

/** Interrupt causes (ICR/ICS/IMS/IMC bits). */
export const E1000_ICR_TXDW = 0x1;
export const E1000_ICR_TXQE = 0x2;
export const E1000_ICR_LSC = 0x4;
export const E1000_ICR_RXDMT0 = 0x10;
export const E1000_ICR_RXO = 0x40;
export const E1000_ICR_RXT0 = 0x80;

/** Legacy descriptors are 16 bytes: 64-bit buffer address, length, then status bytes. */
export const DESC_BYTES = 16;
/** RX descriptor status (byte 12) and TX command (byte 11) / status (byte 12) bits. */
export const RXD_STAT_DD = 0x1;
export const RXD_STAT_EOP = 0x2;
export const TXD_CMD_EOP = 0x1;
export const TXD_CMD_RS = 0x8;
export const TXD_STAT_DD = 0x1;
/** Bytes of the tally counters block the dump writes (struct rtl8169_counters). */
export const COUNTERS_BYTES = 64;
/** The XID the model reports (an r8169 RTL8168h: "XID 541"). */
export const SIM_NIC_XID = 0x541;
