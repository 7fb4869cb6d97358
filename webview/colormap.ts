/** Energy colour map (viridis-like, perceptually ordered, readable on light and dark backgrounds). */

const STOPS: ReadonlyArray<readonly [number, number, number, number]> = [
  [0.0, 0x44, 0x01, 0x54],
  [0.25, 0x3b, 0x52, 0x8b],
  [0.5, 0x21, 0x91, 0x8c],
  [0.75, 0x5e, 0xc9, 0x62],
  [1.0, 0xfd, 0xe7, 0x25],
];

/** t in [0, 1] → [r, g, b] in 0–1. */
export function colourAt(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, r1, g1, b1] = STOPS[i];
    if (x <= t1) {
      const [t0, r0, g0, b0] = STOPS[i - 1];
      const u = (x - t0) / (t1 - t0);
      return [(r0 + u * (r1 - r0)) / 255, (g0 + u * (g1 - g0)) / 255, (b0 + u * (b1 - b0)) / 255];
    }
  }
  const l = STOPS[STOPS.length - 1];
  return [l[1] / 255, l[2] / 255, l[3] / 255];
}

export function cssColourAt(t: number): string {
  const [r, g, b] = colourAt(t);
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
}
