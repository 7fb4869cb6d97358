/** A plain, serialisable summary of a built structure: what `ionpath info` prints and the host returns. */
import type { Structure, StructureMessage } from './types';

export interface StructureSummary {
  name: string;
  formula: string;
  composition: Record<string, number>;
  cell: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number; units: { length: 'Å'; angle: 'degree'; volume: 'Å^3' } };
  spaceGroup: { symbol: string | null; number: number | null; operationsFrom: string; operations: number; detected: string | null };
  atomsInCell: number;
  oxidationStates: { source: string; byElement: Record<string, number[]> };
  sites: { label: string; species: { element: string; oxidation: number | null; oxidationSource: string; occupancy: number }[]; frac: [number, number, number]; multiplicity: number }[];
  hasPartialOccupancy: boolean;
  messages: StructureMessage[];
}

export function summarise(s: Structure, messages: StructureMessage[] = s.messages): StructureSummary {
  const byElement: Record<string, Set<number>> = {};
  for (const site of s.asymmetricSites) for (const sp of site.species) {
    if (sp.oxidation === null) continue;
    (byElement[sp.element] ??= new Set()).add(sp.oxidation);
  }
  const L = s.lattice;
  return {
    name: s.name,
    formula: s.formula,
    composition: s.composition,
    cell: { a: L.a, b: L.b, c: L.c, alpha: L.alpha, beta: L.beta, gamma: L.gamma, volume: Number(L.volume.toFixed(3)), units: { length: 'Å', angle: 'degree', volume: 'Å^3' } },
    spaceGroup: {
      symbol: s.spaceGroup.symbol,
      number: s.spaceGroup.number,
      operationsFrom: s.spaceGroup.operationsSource,
      operations: s.spaceGroup.operationCount,
      detected: s.spaceGroup.detected ? `${s.spaceGroup.detected.symbol} (${s.spaceGroup.detected.number})` : null,
    },
    atomsInCell: s.sites.length,
    oxidationStates: { source: s.oxidationSource, byElement: Object.fromEntries(Object.entries(byElement).map(([k, v]) => [k, [...v].sort((a, b) => a - b)])) },
    sites: s.asymmetricSites.map((a) => ({
      label: a.label,
      species: a.species.map((sp) => ({ element: sp.element, oxidation: sp.oxidation, oxidationSource: sp.oxidationSource, occupancy: sp.occupancy })),
      frac: a.frac,
      multiplicity: a.multiplicity,
    })),
    hasPartialOccupancy: s.hasPartialOccupancy,
    messages,
  };
}

const fmt = (x: number, d = 4) => Number(x.toFixed(d)).toString();

/** Human-readable text for the terminal and the "Show Structure Summary" command. */
export function summaryText(sum: StructureSummary): string {
  const c = sum.cell;
  const lines = [
    `${sum.name}: ${sum.formula}`,
    `  cell      a ${fmt(c.a)} Å, b ${fmt(c.b)} Å, c ${fmt(c.c)} Å, α ${fmt(c.alpha, 3)}°, β ${fmt(c.beta, 3)}°, γ ${fmt(c.gamma, 3)}°, V ${fmt(c.volume, 2)} Å³`,
    `  symmetry  ${sum.spaceGroup.operationsFrom === 'none' && sum.spaceGroup.symbol === null ? 'none given: the listed atoms are the cell (P1)' : `${sum.spaceGroup.symbol ?? '?'}${sum.spaceGroup.number ? ` (No. ${sum.spaceGroup.number})` : ''}, ${sum.spaceGroup.operations} operation${sum.spaceGroup.operations === 1 ? '' : 's'} from ${sum.spaceGroup.operationsFrom}`}${sum.spaceGroup.detected ? `; detected ${sum.spaceGroup.detected}` : ''}`,
    `  contents  ${sum.atomsInCell} sites in the cell; composition ${Object.entries(sum.composition).map(([e, n]) => `${e} ${fmt(n, 3)}`).join(', ')}`,
    `  oxidation ${sum.oxidationStates.source}: ${Object.entries(sum.oxidationStates.byElement).map(([e, q]) => `${e} ${q.map((x) => (x > 0 ? `+${x}` : `${x}`)).join('/')}`).join(', ')}`,
    '  sites:',
    ...sum.sites.map((s) => `    ${s.label.padEnd(8)} ${s.species.map((sp) => `${sp.element}${sp.oxidation === null ? '' : (sp.oxidation > 0 ? '+' : '') + sp.oxidation}${sp.oxidationSource === 'guessed' ? '(guessed)' : ''} occ ${fmt(sp.occupancy, 4)}`).join(' + ').padEnd(34)} (${s.frac.map((x) => fmt(x, 4)).join(', ')})  ×${s.multiplicity}`),
  ];
  if (sum.messages.length) {
    lines.push('  messages:');
    for (const m of sum.messages) lines.push(`    ${m.severity}${m.at ? ` (line ${m.at.line + 1}, column ${m.at.column + 1})` : ''}: ${m.message} [${m.code}]`);
  }
  return lines.join('\n');
}
