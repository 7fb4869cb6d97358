/**
 * How landscape numbers are written for people: always with their method and unit, e.g.
 * "Ea(BVSE, 1D) 0.39 eV". Shared by the editor (inlay hints, hovers, tables) and the CLI.
 */
import type { LandscapeReport } from './export';

export const eV = (x: number | null, digits = 2) => (x === null ? 'none' : `${x.toFixed(digits)} eV`);

/** The method's short name for labels: "BVSE" (or "BVSE, BVlain mode"). */
export function methodLabel(r: Pick<LandscapeReport, 'mode'>): string {
  return r.mode === 'bvlain' ? 'BVSE/BVlain' : 'BVSE';
}

/** The one-line summary of an inlay hint. */
export function barrierHint(r: LandscapeReport): string {
  const m = methodLabel(r);
  const dim = r.dimensionality ? `${r.dimensionality}D` : 'no percolation';
  const ea = r.Ea_1D_eV === null ? `Ea(${m}) none below ${eV(r.maxBarrier_eV)}` : `Ea(${m}, 1D) ${eV(r.Ea_1D_eV)}`;
  return `${ea} · ${dim} · Ξ(${m}) ${r.Xi.toFixed(2)}`;
}

/** A Markdown report: every number with method and unit, plus the parameters and warnings. */
export function reportMarkdown(r: LandscapeReport): string {
  const m = methodLabel(r);
  const rows: [string, string][] = [
    [`Ea(${m}, 1D)`, eV(r.Ea_1D_eV, 3)],
    [`Ea(${m}, 2D)`, eV(r.Ea_2D_eV, 3)],
    [`Ea(${m}, 3D)`, eV(r.Ea_3D_eV, 3)],
    ['percolation dimensionality', r.dimensionality ? `${r.dimensionality}D` : 'none'],
    [`MPE(${m})`, eV(r.MPE_eV, 3)],
    [`FV connected (${m}, ${r.FV_threshold_eV} eV)`, r.FV_connected.toPrecision(3)],
    [`FV disconnected (${m}, ${r.FV_threshold_eV} eV)`, r.FV_disconnected.toPrecision(3)],
    [`Ξ(${m})`, `${r.Xi.toFixed(3)} (0–1; high = likely superionic)`],
  ];
  const lines = [
    `**${r.structure.formula}** — ${r.method}, mobile ion ${r.ion}`,
    '',
    '| quantity | value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    `Grid ${r.gridShape.join('×')} (${r.resolution_A ?? '?'} Å, ${r.gridConvention}), stencil ${r.stencil}; energies relative to the landscape minimum. Computed in ${(r.timings_ms.total / 1000).toFixed(2)} s.`,
  ];
  if (r.warnings.length) lines.push('', '**Warnings**', ...r.warnings.map((w) => `- ${w}`));
  return lines.join('\n');
}
