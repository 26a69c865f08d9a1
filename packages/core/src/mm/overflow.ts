/**
 * include/linux/overflow.h :: check_mul_overflow for the array allocators (kmalloc_array,
 * devm_kmalloc_array, drmm_kcalloc): the product n * size in bytes, or null when it does not fit
 * (here: beyond Number.MAX_SAFE_INTEGER, where byte counts stop being exact).
 */
export function check_mul_overflow(n: number, size: number): number | null {
  return size !== 0 && n > Number.MAX_SAFE_INTEGER / size ? null : n * size;
}
