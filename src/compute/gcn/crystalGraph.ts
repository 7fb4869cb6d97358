/**
 * Crystal graph (CGCNN-style; Xie & Grossman, PRL 120, 145301, 2018): the baseline representation the GCN on the
 * interstitial network is compared with (seed 000_…, §3.3: "atoms as nodes").
 *
 *   nodes  every site of the expanded cell (the mobile Li included), features [Z, χ_Pauling, oxidation state,
 *          occupancy] of its majority species (ordered crystals have one species per site)
 *   edges  i → j for the `maxNeighbours` nearest periodic images of j within `cutoff` Å of i (directed, both
 *          directions present because distance is symmetric up to the neighbour cap); edge feature = distance d
 *          in Å. The model expands d in Gaussians exp(−(d − μ_k)² / σ²), μ_k = 0, Δ, …, cutoff (see
 *          `gaussianCentres`), σ = Δ — done by the trainer so the dataset file stays small.
 */
import type { Structure } from '../structure/types';
import { atomicNumber, PAULING_EN } from '../structure/elements';

export interface CrystalGraphOptions {
  /** Å */
  cutoff?: number;
  maxNeighbours?: number;
}

export interface CrystalGraph {
  /** N × 4 row-major: Z, Pauling electronegativity, oxidation state, occupancy. */
  nodeFeatures: Float32Array;
  nodeCount: number;
  /** 2 × E: sources then targets. */
  edgeIndex: Int32Array;
  /** E distances, Å. */
  edgeDistance: Float32Array;
  featureNames: string[];
}

export const CRYSTAL_NODE_FEATURES = ['Z', 'electronegativity_pauling', 'oxidation_state', 'occupancy'];

/** Centres of the Gaussian distance expansion, 0…cutoff in steps of `step` Å. */
export function gaussianCentres(cutoff = 5, step = 0.2): number[] {
  const n = Math.round(cutoff / step) + 1;
  return Array.from({ length: n }, (_, k) => k * step);
}

export function crystalGraph(structure: Structure, options: CrystalGraphOptions = {}): CrystalGraph {
  const cutoff = options.cutoff ?? 5;
  const maxNeighbours = options.maxNeighbours ?? 12;
  const sites = structure.sites;
  const n = sites.length;
  const m = structure.lattice.matrix;
  const nodeFeatures = new Float32Array(n * 4);
  sites.forEach((s, i) => {
    const sp = s.species.reduce((a, b) => (b.occupancy > a.occupancy ? b : a));
    nodeFeatures[i * 4] = atomicNumber(sp.element);
    nodeFeatures[i * 4 + 1] = PAULING_EN[sp.element] ?? 0;
    nodeFeatures[i * 4 + 2] = sp.oxidation ?? 0;
    nodeFeatures[i * 4 + 3] = sp.occupancy;
  });
  // Image range along each axis from the plane spacings d_k = V / |a_i × a_j|.
  const cross = (u: number[], v: number[]) => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const len = (u: number[]) => Math.hypot(u[0], u[1], u[2]);
  const V = structure.lattice.volume;
  const spacing = [V / len(cross(m[1], m[2])), V / len(cross(m[2], m[0])), V / len(cross(m[0], m[1]))];
  const range = spacing.map((d) => Math.ceil(cutoff / d));
  const src: number[] = [], dst: number[] = [], dist: number[] = [];
  for (let i = 0; i < n; i++) {
    const ci = sites[i].cart;
    const found: { j: number; d: number }[] = [];
    for (let j = 0; j < n; j++) {
      const cj = sites[j].cart;
      for (let a = -range[0]; a <= range[0]; a++) for (let b = -range[1]; b <= range[1]; b++) for (let c = -range[2]; c <= range[2]; c++) {
        if (i === j && a === 0 && b === 0 && c === 0) continue;
        const x = cj[0] + a * m[0][0] + b * m[1][0] + c * m[2][0] - ci[0];
        const y = cj[1] + a * m[0][1] + b * m[1][1] + c * m[2][1] - ci[1];
        const z = cj[2] + a * m[0][2] + b * m[1][2] + c * m[2][2] - ci[2];
        const d = Math.hypot(x, y, z);
        if (d <= cutoff && d > 1e-6) found.push({ j, d });
      }
    }
    found.sort((p, q) => p.d - q.d);
    for (const f of found.slice(0, maxNeighbours)) { src.push(i); dst.push(f.j); dist.push(f.d); }
  }
  const e = src.length;
  const edgeIndex = new Int32Array(2 * e);
  edgeIndex.set(src, 0);
  edgeIndex.set(dst, e);
  return { nodeFeatures, nodeCount: n, edgeIndex, edgeDistance: Float32Array.from(dist), featureNames: CRYSTAL_NODE_FEATURES };
}
