/**
 * How analysis numbers are written for people: always with their method and unit, e.g. "Ea(BVSE, 1D) 0.39 eV",
 * "Ξ(TensorNet-MatPES, frozen) 0.96", "Ea(GCN-IN) 0.38 eV". Shared by the editor (inlay hints, hovers, tables),
 * the viewer captions and the CLI. The label comes from the report's source, never from a guess.
 */
import type { LandscapeReport } from './report';

export const eV = (x: number | null, digits = 2) => (x === null ? 'none' : `${x.toFixed(digits)} eV`);
const num = (x: number | null, f: (x: number) => string) => (x === null ? 'n/a' : f(x));

/** The method's short name for labels: "BVSE", "BVSE/BVlain", "TensorNet-MatPES", "GCN-IN". */
export function methodLabel(r: Pick<LandscapeReport, 'source'>): string {
  return r.source.label;
}

/** "Ea(BVSE, 1D)"; a barrier model predicts one Ea (its labels are Ea 1D): "Ea(GCN-IN)". */
export function eaLabel(r: Pick<LandscapeReport, 'source'>, d: 1 | 2 | 3): string {
  return r.source.method === 'gcn' && d === 1 ? `Ea(${methodLabel(r)})` : `Ea(${methodLabel(r)}, ${d}D)`;
}

/** "Ξ(TensorNet-MatPES, frozen)": the scan is of a frozen framework; Ξ on a BVSE grid is labelled as such. */
export function xiLabel(r: Pick<LandscapeReport, 'source'>): string {
  return r.source.method === 'mlip' ? `Ξ(${methodLabel(r)}, frozen)` : `Ξ(${methodLabel(r)})`;
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

/** VS Code's default inlay-hint length (`editor.inlayHints.maximumLength`); longer labels are cut with "…". */
export const HINT_LENGTH = 43;
/** What the editor puts between a line's text and its hint; VS Code counts it in the label's length. */
export const HINT_PADDING = '  ';

/**
 * The inlay hint: short enough for VS Code's default hint length, complete; the rest is in the hover. The
 * machine-learned scan leads with Ξ (what it ranks by); the others with Ea 1D (the published convention, and what
 * the GCN predicts), followed by the channel dimensionality d and, where it differs, the barrier in d dimensions:
 * "Ea(BVSE, 1D) 0.57 eV · 3D 0.70 eV". Ea 3D ranks conductors better than Ea 1D on the OBELiX training CIFs
 * (docs/VALIDATION.md) and is what the rankings sort by, so it is in the hint whenever it fits.
 */
export function barrierHint(r: LandscapeReport): string {
  // A number computed from a geometry the bond-valence check flags says so in the hint itself; the hover explains.
  const suspect = r.implausibleGeometry?.length ? ' · ⚠ geometry' : '';
  if (r.source.method === 'mlip' && r.Xi !== null) return `${xiLabel(r)} ${r.Xi.toFixed(2)} · MPE ${eV(r.MPE_eV)}${suspect}`;
  if (r.Ea_1D_eV === null) return `${eaLabel(r, 1)}: none${r.maxBarrier_eV !== null ? ` < ${Number(r.maxBarrier_eV.toPrecision(3))} eV` : ''}${suspect}`;
  const range = r.disorder?.range ? ` (${rangeText(r.disorder.range.Ea_1D_eV)})` : '';
  const lead = `${eaLabel(r, 1)} ${eV(r.Ea_1D_eV)}${range}`;
  if (r.source.method === 'gcn') return `${lead}${suspect}`;
  const d = r.channelDimensionality;
  if (!d) return `${lead} · no channel${suspect}`;
  const eaD = d > 1 ? [r.Ea_1D_eV, r.Ea_2D_eV, r.Ea_3D_eV][d - 1] : null;
  // The d-dimensional barrier where it differs and the padded label still fits; else the dimension alone.
  const withBarrier = eaD !== null && eV(eaD) !== eV(r.Ea_1D_eV) ? `${lead} · ${d}D ${eV(eaD)}${suspect}` : null;
  return withBarrier && HINT_PADDING.length + withBarrier.length <= HINT_LENGTH ? withBarrier : `${lead} · ${d}D${suspect}`;
}

/** "0.35–0.52" (eV), "0.35–none" when some ordering does not percolate. */
export function rangeText([lo, hi]: [number | null, number | null]): string {
  return `${lo === null ? 'none' : lo.toFixed(2)}–${hi === null ? 'none' : hi.toFixed(2)}`;
}

/** "6 orderings of 2 cells": what an ensemble number stands for. */
export function disorderText(r: LandscapeReport): string | null {
  const d = r.disorder;
  if (!d) return null;
  if (d.treatment === 'mean-field') return 'mean field (partially occupied sites weighted by occupancy)';
  if (d.treatment === 'mobile-ion-removed') return `only the ${r.ion.replace(/[+-]\d+$/, '')} sites are partially occupied; the method removes ${r.ion.replace(/[+-]\d+$/, '')}, so nothing is averaged`;
  if (d.rule === 'lowest-ewald') return `the lowest-Ewald ordering of a ${d.cells}-cell ordered approximant (this method needs atoms at definite positions)`;
  return `lowest Ea 1D over ${d.orderings} ordered approximants of ${d.cells} cell${d.cells === 1 ? '' : 's'} (${d.frameworks} distinct frameworks, Ewald-ranked and random)`;
}

/** The disorder treatment in a table cell: "mean field", "lowest-Ewald ordering of 9 cells", "min of 6 orderings of 17 cells, Ea 1D 6.52–8.30 eV". */
export function disorderCell(r: LandscapeReport): string | null {
  const d = r.disorder;
  if (!d) return null;
  if (d.treatment === 'mean-field') return 'mean field';
  if (d.treatment === 'mobile-ion-removed') return `${r.ion.replace(/[+-]\d+$/, '')} sites only (removed)`;
  const cells = `${d.cells} cell${d.cells === 1 ? '' : 's'}`;
  if (d.rule === 'lowest-ewald') return `lowest-Ewald ordering of ${cells}`;
  return `min of ${d.orderings} orderings of ${cells}${d.range ? `, Ea 1D ${rangeText(d.range.Ea_1D_eV)} eV` : ''}`;
}

/** The method and where it ran, for captions: "BVSE (softBV, SPSE convention), Li+1, 0.2 Å grid (52×30×24)". */
export function sourceCaption(r: LandscapeReport): string {
  const parts = [r.source.description, r.ion];
  if (r.gridShape) parts.push(`${r.resolution_A !== null ? `${r.resolution_A} Å ` : ''}grid (${r.gridShape.join('×')})`);
  if (r.source.cell !== 'as-given') parts.push(`${r.source.cell} cell`);
  if (r.source.method === 'mlip') parts.push(r.source.variant);
  return parts.join(', ');
}

/** A Markdown report: every number with method and unit, plus the parameters and warnings. */
export function reportMarkdown(r: LandscapeReport): string {
  const m = methodLabel(r);
  const rows: [string, string][] = [
    [eaLabel(r, 1), eV(r.Ea_1D_eV, 3)],
  ];
  if (r.source.method !== 'gcn') rows.push([eaLabel(r, 2), eV(r.Ea_2D_eV, 3)], [eaLabel(r, 3), eV(r.Ea_3D_eV, 3)]);
  rows.push(['channel dimensionality', r.channelDimensionality ? `${r.channelDimensionality}D (directions open within ${CHANNEL_WINDOW_EV} eV of Ea 1D; percolation reaches ${r.percolationDimensionality}D)` : 'none']);
  if (r.MPE_eV !== null || r.Xi !== null) {
    rows.push(
      [`MPE(${m})`, eV(r.MPE_eV, 3)],
      [`FV connected (${m}, ${r.FV_threshold_eV} eV)`, `${num(r.FV_connected, (x) => x.toPrecision(3))} (fraction of grid points)`],
      [`FV disconnected (${m}, ${r.FV_threshold_eV} eV)`, `${num(r.FV_disconnected, (x) => x.toPrecision(3))} (fraction of grid points)`],
      [xiLabel(r), `${num(r.Xi, (x) => x.toFixed(3))} (0–1${r.source.method === 'mlip' ? '; high = likely superionic (Maevskiy et al.)' : '; thresholds are calibrated for a machine-learned PES, not BVSE'})`],
    );
  }
  if (r.disorder) rows.push(['disorder', disorderText(r)!]);
  if (r.disorder?.range) rows.push([`${eaLabel(r, 1)} over the orderings`, `${rangeText(r.disorder.range.Ea_1D_eV)} eV`], [`${eaLabel(r, 3)} over the orderings`, `${rangeText(r.disorder.range.Ea_3D_eV)} eV`]);
  if (r.ions.length > 1) for (const ion of r.ions) rows.push([`${eaLabel(r, 1)}, ion ${ion.label} (×${ion.multiplicity})`, eV(ion.Ea_1D_eV, 3)]);
  const lines = [
    `**${r.structure.formula}** — ${r.source.description}, mobile ion ${r.ion}`,
    '',
    '| quantity | value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  if (r.gridShape) lines.push(`Grid ${r.gridShape.join('×')}${r.resolution_A !== null ? ` (${r.resolution_A} Å, ${r.gridConvention})` : ''}, stencil ${r.stencil}; energies relative to the landscape minimum.`);
  lines.push(`Cell: ${r.source.cell}; ${r.source.variant}.${r.source.model ? ` Model ${r.source.model.id} (sha256 ${r.source.model.sha256.slice(0, 12)}…).` : ''} Computed in ${(r.timings_ms.total / 1000).toFixed(2)} s.`);
  if (r.warnings.length) lines.push('', '**Warnings**', ...r.warnings.map((w) => `- ${w}`));
  return lines.join('\n');
}
