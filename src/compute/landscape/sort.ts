/**
 * Indices that sort a Float32Array ascending (stable; ties keep index order), by a three-pass LSD radix sort on the
 * IEEE bit patterns: O(n), no comparator calls, ~10× faster than Array.prototype.sort with a callback.
 * NaN is not expected (grids are checked when built).
 */
export function argsortFloat32(values: Float32Array): Uint32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  let keys = new Uint32Array(n);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    // Flip negatives entirely and set the sign bit of positives so unsigned order equals numeric order.
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    order[i] = i;
  }
  let keysOut = new Uint32Array(n);
  let orderOut = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (const [shift, mask] of [
    [0, 0x7ff],
    [11, 0x7ff],
    [22, 0x3ff],
  ] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & mask]++;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const dest = counts[(k >>> shift) & mask]++;
      keysOut[dest] = k;
      orderOut[dest] = order[i];
    }
    [keys, keysOut] = [keysOut, keys];
    [order, orderOut] = [orderOut, order];
  }
  return order;
}
