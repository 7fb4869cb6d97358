/** Number formatting: every number shown carries its method and unit. */

export function fmtEnergy(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** "Ea(BVSE, 1D) 0.44 eV", or "Ea(BVSE, 3D) not reached" for null. */
export function eaText(method: string, dim: 1 | 2 | 3, ea: number | null): string {
  return ea === null || !Number.isFinite(ea) ? `Ea(${method}, ${dim}D) not reached on this grid` : `Ea(${method}, ${dim}D) ${fmtEnergy(ea)} eV`;
}

/** Nice tick values covering [lo, hi], about `n` of them. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  const step = (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

export function tickLabel(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const d = Math.max(0, Math.min(3, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(d);
}
