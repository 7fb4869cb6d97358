/**
 * The file's own formula against its atom sites. A CIF states its contents twice: the sites (with occupancies and
 * the symmetry operations that expand them) and `_chemical_formula_sum` (element counts of one formula unit) with
 * `_cell_formula_units_Z` (formula units per cell). The barriers come from the sites; when the two disagree, one of
 * them is wrong: sites edited without the formula (a substitution), an occupancy mistyped, operations missing or
 * doubled, hydrogens the refinement left out. That is said, at the formula; the sites are still used.
 *
 * Convention. IUCr: the cell holds Z × formula. pymatgen (and so the Materials Project and OBELiX) writes the whole
 * cell as `_chemical_formula_sum` beside its Z, so the cell holds formula × 1. Both are accepted: a cell that holds
 * the formula once agrees; otherwise it is compared with Z × formula. Without Z only proportions are compared.
 *
 * Tolerance: an element's count may differ by FORMULA_TOLERANCE (10 %) of the stated count, or by FORMULA_ABSOLUTE
 * atoms per formula unit, whichever is larger. A refinement's occupancies often leave its idealised formula by a
 * few per cent (the bundled Li10GeP2S12 gives Ge 1.03 for the formula's 1); what is meant to be caught is larger: a
 * substitution, a wrong Z or missing operations, hydrogens left out. Measured: none of the 254 OBELiX CIFs nor of
 * the 21,733 Materials Project CIFs of the sample is warned about (docs/measurements/reading-checks.txt).
 */
import { findItem, type CifFrame } from '../cif/parser';
import { canonicalElement } from './elements';
import { countText as count, formulaOrder } from './formula';
import type { Located, StructureMessage } from './types';

export const FORMULA_TOLERANCE = 0.1;
export const FORMULA_ABSOLUTE = 0.05;

/** `'Fe Li O4 P'`, `'Li6.4 La3 Zr1.4 Ta0.6 O12'` → element counts; null when it is not a plain list of elements. */
export function parseFormulaSum(text: string): Record<string, number> | null {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (!tokens.length) return null;
  const counts: Record<string, number> = {};
  for (const token of tokens) {
    // Written with or without spaces between elements ("Li7La3Zr2O12"): each element symbol with its count.
    const parts = token.match(/[A-Z][a-z]?(?:\d+(?:\.\d*)?|\.\d+)?/g);
    if (!parts || parts.join('') !== token) return null;
    for (const part of parts) {
      const m = /^([A-Z][a-z]?)(.*)$/.exec(part)!;
      const element = canonicalElement(m[1]);
      if (!element) return null;
      counts[element] = (counts[element] ?? 0) + (m[2] ? Number(m[2]) : 1);
    }
  }
  return counts;
}

/** A warning when the sites' composition (per cell, occupancy-weighted) differs from the stated formula; else null. */
/** Where the sites' composition leaves the file's stated formula: the elements that differ, or null (agrees, or none stated). */
export function statedFormulaDifference(frame: CifFrame, composition: Readonly<Record<string, number>>): { formula: string; z: number | null; per: string; differing: string[]; at: Located } | null {
  const item = findItem(frame, '_chemical_formula_sum');
  if (!item?.value || item.value.special) return null;
  const formula = parseFormulaSum(item.value.text);
  if (!formula) return null;
  const zItem = findItem(frame, '_cell_formula_units_z')?.value;
  const z = zItem && !zItem.special && /^\d+$/.test(zItem.text.trim()) && Number(zItem.text) > 0 ? Number(zItem.text) : null;
  const total = (c: Readonly<Record<string, number>>) => Object.values(c).reduce((a, b) => a + b, 0);
  const cellAtoms = total(composition), formulaAtoms = total(formula);
  if (!(cellAtoms > 0 && formulaAtoms > 0)) return null;
  const elements = formulaOrder({ ...formula, ...composition });
  const differences = (units: number) => elements.flatMap((element) => {
    const built = (composition[element] ?? 0) / units, stated = formula[element] ?? 0;
    return Math.abs(built - stated) > Math.max(FORMULA_TOLERANCE * stated, FORMULA_ABSOLUTE) ? [`${element} ${count(built)} vs ${count(stated)}`] : [];
  });
  // Formula units in the cell: Z (IUCr), or 1 where the formula is the whole cell (pymatgen); without Z, the
  // proportions alone.
  if (z !== null && !differences(1).length) return null;
  const units = z ?? cellAtoms / formulaAtoms;
  const differing = differences(units);
  if (!differing.length) return null;
  const per = z === null ? 'in the proportions of one formula unit' : `per formula unit (the cell's ${count(cellAtoms)} atoms / Z ${z})`;
  return { formula: item.value.text.trim(), z, per, differing, at: { line: item.value.at.line, column: item.value.at.column, length: item.value.at.length } };
}

/** The sites against the stated formula as a located warning (the sites are used), or null. */
export function statedFormulaMessage(frame: CifFrame, composition: Readonly<Record<string, number>>): StructureMessage | null {
  const d = statedFormulaDifference(frame, composition);
  if (!d) return null;
  return {
    severity: 'warning', code: 'formula-mismatch', at: d.at,
    message: `the atom sites do not give the stated _chemical_formula_sum '${d.formula}'${d.z !== null ? ` (Z ${d.z})` : ''}: ${d.per}, sites vs formula: ${formulaDifferenceText(d.differing)}; the barriers use the sites (check their occupancies, the symmetry operations, or the formula)`,
  };
}

export const formulaDifferenceText = (differing: readonly string[]) => `${differing.slice(0, 4).join(', ')}${differing.length > 4 ? ', …' : ''}`;
