/**
 * Sanity limits on a crystal structure, checked before anything is allocated from it.
 *
 * A cell that no real crystal has (a lattice plane spacing of 0.01 Å, an axis of 0.51 Å, 96 000 atoms in P1,
 * atoms 0.1 Å apart) must be refused with a located error that names the limit, not run into a 4 GB grid,
 * a quadratic merge, or a meaningless "Ea 0.002 eV". Every limit is a named constant with the reason for it.
 *
 *   interplanar spacing of face i:  d_i = V / |a_j × a_k| = 1 / |column i of the inverse lattice matrix|
 *   (V the cell volume): a nearly flat cell has one tiny d_i however long its axes are (γ = 0.06° → d ≈ 0.01 Å).
 *
 * Grid memory: a scalar grid of n₀ × n₁ × n₂ float32 values takes 4·n₀n₁n₂ bytes; the analysis keeps a few
 * such arrays at once (energies, level map, labels), so callers pass the number of arrays they hold.
 */
import type { Lattice, StructureMessage, Located } from './types';
import { inverse3 } from './geometry';
import { combinationName, reduceBasis } from './reduce';

/** Shortest lattice translation a real crystal has (Å). Be (hcp, a = 2.29 Å) is among the shortest; an axis below
 *  1.5 Å would put an atom within 1.5 Å of its own periodic image. */
export const MIN_LATTICE_TRANSLATION_A = 1.5;

/** Smallest spacing between the cell's lattice planes (Å). Real cells have d ≳ 2 Å even in oblique settings; a
 *  smaller spacing is a nearly degenerate (flat) cell such as γ = 0.5°, whose grids and neighbour lists explode. */
export const MIN_INTERPLANAR_SPACING_A = 1.0;

/** Fully occupied atoms of different sites closer than this (Å) cannot coexist (the shortest bond, H–H, is 0.74 Å). */
export const MIN_INTERATOMIC_DISTANCE_A = 0.5;

/** Densest known solids hold ≈ 0.18 atoms/Å³ (diamond); above this the coordinates or the cell are wrong. */
export const MAX_ATOMS_PER_A3 = 0.3;

/** Atoms in the expanded cell: beyond this the landscape is not an interactive (or even a batch) computation. */
export const MAX_ATOMS_IN_CELL = 20_000;

/** Asymmetric sites × symmetry operations beyond which the cell is refused before expansion (special positions
 *  reduce the count, so the estimate may exceed the real number of atoms by the site-symmetry order, ≤ 48 → a
 *  factor 4 margin covers every real file seen). */
export const MAX_EXPANSION_ESTIMATE = 4 * MAX_ATOMS_IN_CELL;

/** Largest single grid allocation the analysis may make (bytes): 1 GiB keeps a few grids well inside the host's heap
 *  limit and far below V8's fatal "invalid size" limit for one typed array. */
export const MAX_GRID_BYTES = 1024 * 1024 * 1024;

/** Bytes of `arrays` grids of this shape, `bytesPerValue` each (float32 by default). */
export function estimateGridBytes(shape: readonly number[], bytesPerValue = 4, arrays = 1): number {
  let n = 1;
  for (const s of shape) {
    if (!(Number.isFinite(s) && s >= 0)) return Infinity;
    n *= Math.ceil(s);
  }
  return n * bytesPerValue * arrays;
}

/** A located refusal, or null when the grid fits: the caller turns it into its own error type. */
export function checkGridBytes(shape: readonly number[], bytesPerValue = 4, arrays = 1, limit = MAX_GRID_BYTES): string | null {
  const bytes = estimateGridBytes(shape, bytesPerValue, arrays);
  if (bytes <= limit) return null;
  const gb = (b: number) => (b === Infinity ? '∞' : (b / 1024 ** 3).toFixed(b < 1024 ** 3 ? 3 : 1));
  return `a grid of ${shape.map((s) => Math.ceil(s)).join('×')} points would need ${gb(bytes)} GiB (limit MAX_GRID_BYTES = ${gb(limit)} GiB); use a coarser resolution or a smaller cell`;
}

/** The three interplanar spacings d_i = 1 / |column i of the inverse matrix| (rows of the matrix are a, b, c). */
export function interplanarSpacings(lattice: Pick<Lattice, 'inverse'>): [number, number, number] {
  const inv = lattice.inverse;
  const d = [0, 1, 2].map((i) => 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  return d as [number, number, number];
}

/**
 * The shortest lattice translation, exactly: the first vector of the reduced basis (reduce.ts), as u·a + v·b + w·c.
 * In a skewed cell it may be a combination such as 6a−b, which no search over u, v, w ∈ {−1, 0, 1} finds.
 */
export function shortestTranslation(lattice: Pick<Lattice, 'matrix'>): { length: number; uvw: [number, number, number] } {
  const { basis, transform } = reduceBasis(lattice.matrix);
  return { length: Math.hypot(...basis[0]), uvw: transform[0] };
}

const AXES = ['a', 'b', 'c'] as const;

/**
 * Cell geometry against the limits above. Returns error messages (code 'degenerate-cell'), located at `at`.
 * Run before the atoms are expanded: nothing here allocates more than a few numbers.
 */
export function checkCellGeometry(lattice: Pick<Lattice, 'a' | 'b' | 'c' | 'alpha' | 'beta' | 'gamma' | 'matrix' | 'inverse' | 'volume'>, at?: Located): StructureMessage[] {
  const out: StructureMessage[] = [];
  // Six significant digits: a cell from lattice vectors (POSCAR, XYZ) has lengths like 5.196152422706632.
  const g = (x: number) => Number(x.toPrecision(6));
  const cell = `a = ${g(lattice.a)} Å, b = ${g(lattice.b)} Å, c = ${g(lattice.c)} Å, α = ${g(lattice.alpha)}°, β = ${g(lattice.beta)}°, γ = ${g(lattice.gamma)}°`;
  // Both limits are the lattice's, not the basis's, so both are measured on the reduced basis: its first vector is
  // the shortest translation, and a skewed basis of a sound lattice (mp-723352, α = 6.2°) has thin planes of its own
  // but is analysed in its reduced cell (reduce.ts), whose planes are what the flatness check measures.
  const reduced = reduceBasis(lattice.matrix);
  const shortest = Math.hypot(...reduced.basis[0]);
  if (!(shortest >= MIN_LATTICE_TRANSLATION_A)) {
    out.push({ severity: 'error', code: 'degenerate-cell', message: `the lattice translation ${combinationName(reduced.transform[0])} is ${shortest.toPrecision(3)} Å long, shorter than MIN_LATTICE_TRANSLATION_A = ${MIN_LATTICE_TRANSLATION_A} Å: every atom would lie that close to its own periodic image (${cell})`, at });
  }
  const kept = reduced.transform.every((r, k) => r.every((v, j) => v === (k === j ? 1 : 0)));
  const d = interplanarSpacings({ inverse: inverse3(reduced.basis) });
  const i = d.indexOf(Math.min(...d));
  if (!(d[i] >= MIN_INTERPLANAR_SPACING_A)) {
    out.push({ severity: 'error', code: 'degenerate-cell', message: `the cell is nearly flat: the spacing between its lattice planes${kept ? ` normal to ${AXES[i]}*` : ', in its reduced cell,'} is ${d[i].toPrecision(3)} Å, below MIN_INTERPLANAR_SPACING_A = ${MIN_INTERPLANAR_SPACING_A} Å (${cell}); check the cell angles`, at });
  }
  return out;
}

/** Occupancy-weighted atoms per Å³ against MAX_ATOMS_PER_A3. */
export function checkAtomDensity(atoms: number, volume: number, at?: Located): StructureMessage | null {
  const density = atoms / volume;
  if (density <= MAX_ATOMS_PER_A3) return null;
  return { severity: 'error', code: 'too-dense', message: `${Number(atoms.toFixed(2))} atoms in a cell of ${volume.toPrecision(4)} Å³ is ${density.toPrecision(3)} atoms/Å³, above MAX_ATOMS_PER_A3 = ${MAX_ATOMS_PER_A3} (diamond, the densest solid, has 0.18): the cell or the coordinates are wrong`, at };
}
