/**
 * Ewald sum of point charges in a periodic cell (Ewald 1921; the form of pymatgen's EwaldSummation), in eV:
 *
 *   E = k_e · [ ½ Σ_i Σ_j Σ'_n q_i q_j erfc(√η |r_ij + n|) / |r_ij + n|                (real space; n = 0 skipped for i = j)
 *             + (2π/V) Σ_{G≠0} exp(−G²/4η) / G² · |Σ_j q_j exp(i G·r_j)|²                  (reciprocal space)
 *             − √(η/π) Σ_i q_i²                                                            (self)
 *             − π Q² / (2 V η) ]                                                           (neutralising background, Q = Σ q)
 *
 * with k_e = e²/(4π ε0) = 14.3996454784 eV·Å. Charges are formal oxidation states (times occupancy for a
 * partially occupied site: the mean field). Convergence parameters from the cell as in pymatgen: η = π (N w / V²)^⅓
 * with w = 1/√2 (balances real and reciprocal work), r_max = √(A/η), G_max = 2√η √A with accuracy factor A = 12
 * (both truncated terms ≈ e^−A ≈ 6e−6 of their leading term).
 *
 * The energy is also available as a pair matrix, E = ½ qᵀ M q, which is what the ordering search needs: swapping the
 * charges of two sites changes E by a closed form in M and the site potentials V = M q (see `swapDelta`).
 */
import type { Mat3, Vec3 } from '../types';
import { inverse3, det3 } from '../geometry';

/** e²/(4π ε0) in eV·Å (CODATA 2018). */
export const COULOMB_EV_ANGSTROM = 14.3996454784;

export interface EwaldParameters {
  /** Gaussian splitting parameter η (Å⁻²). */
  eta: number;
  /** Real-space cut-off (Å). */
  rMax: number;
  /** Reciprocal-space cut-off (Å⁻¹). */
  gMax: number;
}

export interface EwaldOptions {
  /** Accuracy factor A; default 12 (pymatgen's). */
  accuracy?: number;
  /** Override η (Å⁻²). */
  eta?: number;
}

export function ewaldParameters(lattice: Mat3, count: number, options: EwaldOptions = {}): EwaldParameters {
  const volume = Math.abs(det3(lattice));
  const accuracy = options.accuracy ?? 12;
  const eta = options.eta ?? Math.PI * Math.cbrt((Math.max(1, count) * Math.SQRT1_2) / (volume * volume));
  return { eta, rMax: Math.sqrt(accuracy / eta), gMax: 2 * Math.sqrt(eta) * Math.sqrt(accuracy) };
}

function minimumWidth(m: Mat3): number {
  const inv = inverse3(m);
  return Math.min(...[0, 1, 2].map((i) => 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i])));
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * The Ewald pair matrix M (N×N, row-major, eV per e²) of N positions (fractional, in the cell whose rows are the lattice
 * vectors in Å), so that E = ½ Σ_ij q_i q_j M_ij for any charges q. Diagonal entries hold the self, image and
 * background terms of a site with itself.
 */
export function ewaldMatrix(lattice: Mat3, frac: readonly Vec3[], options: EwaldOptions = {}): { matrix: Float64Array; parameters: EwaldParameters } {
  const n = frac.length;
  // For the full matrix every pair is summed anyway, so real space may reach out to the smallest cell width (one shell of
  // images) at no extra cost; a smaller η then shrinks the reciprocal sum. Same accuracy factor, same converged value.
  const width = minimumWidth(lattice);
  const balanced = ewaldParameters(lattice, n, options);
  const parameters = options.eta === undefined ? ewaldParameters(lattice, n, { ...options, eta: Math.min(balanced.eta, (options.accuracy ?? 12) / (width * width)) }) : balanced;
  const { eta, rMax, gMax } = parameters;
  const sqrtEta = Math.sqrt(eta);
  const volume = Math.abs(det3(lattice));
  const inv = inverse3(lattice);
  const M = new Float64Array(n * n);

  // Real space. Interplanar spacings d_i = 1/|column i of the inverse| bound the images needed.
  const spacing = [0, 1, 2].map((i) => 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  const reach = spacing.map((d) => Math.ceil(rMax / d));
  const images: Vec3[] = [];
  for (let a = -reach[0]; a <= reach[0]; a++) for (let b = -reach[1]; b <= reach[1]; b++) for (let c = -reach[2]; c <= reach[2]; c++) {
    images.push([a * lattice[0][0] + b * lattice[1][0] + c * lattice[2][0], a * lattice[0][1] + b * lattice[1][1] + c * lattice[2][1], a * lattice[0][2] + b * lattice[1][2] + c * lattice[2][2]]);
  }
  const r2Max = rMax * rMax;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      // Minimum-image fractional difference, then all images within r_max.
      const d0 = frac[j][0] - frac[i][0], d1 = frac[j][1] - frac[i][1], d2 = frac[j][2] - frac[i][2];
      const f0 = d0 - Math.round(d0), f1 = d1 - Math.round(d1), f2 = d2 - Math.round(d2);
      const x = f0 * lattice[0][0] + f1 * lattice[1][0] + f2 * lattice[2][0];
      const y = f0 * lattice[0][1] + f1 * lattice[1][1] + f2 * lattice[2][1];
      const z = f0 * lattice[0][2] + f1 * lattice[1][2] + f2 * lattice[2][2];
      let sum = 0;
      for (const im of images) {
        const dx = x + im[0], dy = y + im[1], dz = z + im[2];
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 > r2Max || r2 < 1e-20) continue;
        const r = Math.sqrt(r2);
        sum += erfc(sqrtEta * r) / r;
      }
      M[i * n + j] += sum;
      if (j !== i) M[j * n + i] += sum;
    }
  }

  // Reciprocal space over half of the G vectors (G and −G give the same term), G = 2π h · inverseᵀ.
  const rec = [0, 1, 2].map((i) => [2 * Math.PI * inv[0][i], 2 * Math.PI * inv[1][i], 2 * Math.PI * inv[2][i]]);
  const hMax = rec.map((_, i) => Math.ceil((gMax * spacing[i]) / (2 * Math.PI)));
  const g2Max = gMax * gMax;
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let h = 0; h <= hMax[0]; h++) for (let k = -hMax[1]; k <= hMax[1]; k++) for (let l = -hMax[2]; l <= hMax[2]; l++) {
    if (h === 0 && (k < 0 || (k === 0 && l <= 0))) continue; // half space, G ≠ 0
    const gx = h * rec[0][0] + k * rec[1][0] + l * rec[2][0];
    const gy = h * rec[0][1] + k * rec[1][1] + l * rec[2][1];
    const gz = h * rec[0][2] + k * rec[1][2] + l * rec[2][2];
    const g2 = gx * gx + gy * gy + gz * gz;
    if (g2 > g2Max) continue;
    const w = 2 * (4 * Math.PI / volume) * Math.exp(-g2 / (4 * eta)) / g2; // ×2: the −G half
    for (let i = 0; i < n; i++) {
      const phase = 2 * Math.PI * (h * frac[i][0] + k * frac[i][1] + l * frac[i][2]);
      cos[i] = Math.cos(phase); sin[i] = Math.sin(phase);
    }
    for (let i = 0; i < n; i++) {
      const ci = w * cos[i], si = w * sin[i];
      const row = i * n;
      for (let j = i; j < n; j++) M[row + j] += ci * cos[j] + si * sin[j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) M[j * n + i] = M[i * n + j];

  // Self and neutralising background.
  const self = -2 * Math.sqrt(eta / Math.PI);
  const background = -Math.PI / (volume * eta);
  for (let i = 0; i < n; i++) {
    M[i * n + i] += self;
    for (let j = 0; j < n; j++) M[i * n + j] += background;
  }
  for (let k = 0; k < M.length; k++) M[k] *= COULOMB_EV_ANGSTROM;
  return { matrix: M, parameters };
}

/** E = ½ qᵀ M q (eV). */
export function ewaldEnergyFromMatrix(matrix: Float64Array, charges: ArrayLike<number>): number {
  const n = charges.length;
  let e = 0;
  for (let i = 0; i < n; i++) {
    if (!charges[i]) continue;
    let v = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) v += matrix[row + j] * charges[j];
    e += charges[i] * v;
  }
  return e / 2;
}

/** Ewald energy (eV) of point charges q at fractional positions in the cell. */
export function ewaldEnergy(lattice: Mat3, frac: readonly Vec3[], charges: readonly number[], options: EwaldOptions = {}): number {
  if (frac.length !== charges.length) throw new Error('ewaldEnergy: one charge per position');
  return ewaldEnergyFromMatrix(ewaldMatrix(lattice, frac, options).matrix, charges);
}

/**
 * Change of E when the charges of sites a and b are exchanged, given the site potentials V = M q:
 * with d = q_b − q_a, ΔE = d (V_a − V_b) + ½ d² (M_aa + M_bb − 2 M_ab).
 */
export function swapDelta(matrix: Float64Array, n: number, potentials: Float64Array, charges: ArrayLike<number>, a: number, b: number): number {
  const d = charges[b] - charges[a];
  if (d === 0) return 0;
  return d * (potentials[a] - potentials[b]) + 0.5 * d * d * (matrix[a * n + a] + matrix[b * n + b] - 2 * matrix[a * n + b]);
}

/** Apply the exchange of a and b to the charges and update the potentials in O(N). */
export function applySwap(matrix: Float64Array, n: number, potentials: Float64Array, charges: { [i: number]: number }, a: number, b: number): void {
  const d = charges[b] - charges[a];
  if (d === 0) return;
  const ra = a * n, rb = b * n;
  for (let i = 0; i < n; i++) potentials[i] += d * (matrix[ra + i] - matrix[rb + i]);
  const t = charges[a]; charges[a] = charges[b]; charges[b] = t;
}

/** V = M q. */
export function sitePotentials(matrix: Float64Array, charges: ArrayLike<number>): Float64Array {
  const n = charges.length;
  const v = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const q = charges[j];
    if (!q) continue;
    const row = j * n;
    for (let i = 0; i < n; i++) v[i] += matrix[row + i] * q;
  }
  return v;
}
