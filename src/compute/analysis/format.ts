/**
 * How landscape numbers are written for people: always with their method and unit, e.g.
 * "Ea(BVSE, 1D) 0.39 eV". Shared by the editor (inlay hints, hovers, tables) and the CLI.
 */
import type { LandscapeReport } from './report';

export const eV = (x: number | null, digits = 2) => (x === null ? 'none' : `${x.toFixed(digits)} eV`);

/** The method's short name for labels: "BVSE" (or "BVSE, BVlain mode"). */
export function methodLabel(r: Pick<LandscapeReport, 'mode'>): string {
  return r.mode === 'bvlain' ? 'BVSE/BVlain' : 'BVSE';
}

/**
 * Channel dimensionality as researchers use the word: the directions that open within
 * `CHANNEL_WINDOW_EV` of the lowest barrier (a 2D barrier 4 eV above the 1D one does not make a 2D conductor).
 */
export const CHANNEL_WINDOW_EV = 0.5;
export function channelDimensionality(r: Pick<LandscapeReport, 'Ea_1D_eV' | 'Ea_2D_eV' | 'Ea_3D_eV'>): number {
  if (r.Ea_1D_eV === null) return 0;
  const limit = r.Ea_1D_eV + CHANNEL_WINDOW_EV;
  return [r.Ea_1D_eV, r.Ea_2D_eV, r.Ea_3D_eV].filter((e) => e !== null && e <= limit + 1e-9).length;
}

/** The one-line summary of an inlay hint. */
export function barrierHint(r: LandscapeReport): string {
  const m = methodLabel(r);
  const d = channelDimensionality(r);
  const dim = d ? `${d}D channels` : 'no percolation';
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
    ['channel dimensionality', channelDimensionality(r) ? `${channelDimensionality(r)}D (directions open within ${CHANNEL_WINDOW_EV} eV of Ea 1D)` : 'none'],
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
