/**
 * Reduced chemical formulas for people: "Li7La3Zr2O12", "Li6.996La3Zr2O12", never "Li55.968La24Zr16O96".
 *
 * Rule (per cell counts n_e, occupancy-weighted):
 * 1. A count is whole when |n − round(n)| < 0.01 (float noise and 4-decimal occupancies).
 * 2. If every count is whole, divide by the greatest common divisor of the rounded counts (Z, the
 *    number of formula units): Li4Fe4P4O16 → LiFePO4.
 * 3. Otherwise take the GCD g of the whole counts and divide by its largest divisor Z for which every
 *    fractional count n/Z is still exact to 3 decimals (1000·n/Z within 0.05 of a whole number). Li55.968La24Zr16O96:
 *    g = 8, 55.968/8 = 6.996 → Li6.996La3Zr2O12. Li6.5La3Zr1.5O12: g = 3 would give Li2.1667…, so
 *    Z = 1 and the formula stays as written. With no whole count, Z = 1.
 * 4. Counts print with at most 3 decimals, trailing zeros dropped; a count of 1 is not written. A trace count
 *    below 0.01 is never whole (it is not 0) and prints with two significant digits: LiAl0.0001O, not LiAl0O.
 * Elements are ordered by increasing Pauling electronegativity (ties by atomic number), the convention of
 * pymatgen and most databases: LiFePO4, Li2SO4, Li6PS5Cl, Li7La3Zr2O12.
 */
import { PAULING_ELECTRONEGATIVITY } from '../data/bvTables';
import { atomicNumber } from './elements';

const WHOLE = 0.01;
const DECIMALS = 3;

/** Elements present (count > 10⁻⁶) in formula order. */
export function formulaOrder(composition: Record<string, number>): string[] {
  const chi = (e: string) => PAULING_ELECTRONEGATIVITY[e] ?? 2.5; // untabulated (noble gases, heavy actinides): mid-scale
  return Object.keys(composition).filter((e) => composition[e] > 1e-6).sort((a, b) => chi(a) - chi(b) || atomicNumber(a) - atomicNumber(b));
}

/** The number of formula units Z the counts are divided by (rule above). */
export function formulaUnits(composition: Record<string, number>): number {
  const counts = formulaOrder(composition).map((e) => composition[e]);
  const isWhole = (n: number) => Math.round(n) >= 1 && Math.abs(n - Math.round(n)) < WHOLE;
  const whole = counts.filter(isWhole).map((n) => Math.round(n)).filter((n) => n > 0);
  if (!whole.length) return 1;
  const g = whole.reduce(gcd);
  if (whole.length === counts.length) return Math.max(1, g);
  const fractional = counts.filter((n) => !isWhole(n));
  // Exact to 3 decimals up to noise in the 5th: 55.968/8 = 6.996 passes, 6.5/3 = 2.1667 does not.
  const exact = (x: number) => { const k = x * 10 ** DECIMALS; return Math.abs(k - Math.round(k)) < 0.05; };
  for (let z = g; z > 1; z--) {
    if (g % z === 0 && fractional.every((n) => exact(n / z))) return z;
  }
  return 1;
}

/** "Li6.996La3Zr2O12" for { Li: 55.968, La: 24, Zr: 16, O: 96 }. */
export function reducedFormula(composition: Record<string, number>): string {
  const z = formulaUnits(composition);
  return formulaOrder(composition).map((e) => {
    const n = composition[e] / z;
    const s = n < WHOLE ? String(Number(n.toPrecision(2)))
      : Math.abs(n - Math.round(n)) < WHOLE / z ? String(Math.round(n)) : String(Number(n.toFixed(DECIMALS)));
    return s === '1' ? e : `${e}${s}`;
  }).join('');
}

/** A count, fraction or measure in a message: at most 3 decimals, trailing zeros dropped; a trace below 0.001 keeps two significant digits (0.0002, not 0). */
export function countText(x: number): string {
  return String(Number(x !== 0 && Math.abs(x) < 0.001 ? x.toPrecision(2) : x.toFixed(DECIMALS)));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
