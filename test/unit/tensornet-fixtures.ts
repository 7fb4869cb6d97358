/**
 * Helpers for checking the exported TensorNet-MatPES-PBE-v2025.1 ONNX model (models/tensornet/): the test
 * vectors in ../shared/models/tensornet-matpes-pbe-v2025.1/reference_energies.json, a deliberately simple
 * brute-force periodic neighbour list (every image in a box large enough for the cut-off; the fast one lives in
 * src/compute/energy/mlip/), graph inputs in the model's contract and batching of disjoint structures.
 *
 * Edge convention (matgl's): r_e = positions[dst] + shift_e − positions[src], |r_e| ≤ cutoff, both directions of
 * every pair, an atom's own zero-shift image excluded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';

export const WEIGHTS_DIR = join(process.cwd(), '..', 'shared', 'models', 'tensornet-matpes-pbe-v2025.1');
export const ONNX_PATH = join(process.cwd(), 'models', 'tensornet', 'tensornet-matpes-pbe-v2025.1.onnx');

type M3 = [[number, number, number], [number, number, number], [number, number, number]];

export interface AtomsGraph {
  name: string;
  /** Index into model.json element_types. */
  species: number[];
  cart: number[][];
  src: number[];
  dst: number[];
  /** Cartesian shift per edge (Å), flattened [E·3]. */
  shift: number[];
}

export interface ReferenceCase {
  species: string[];
  pbc: boolean;
  n_edges: number;
  energy_eV: number;
  lattice_A?: M3;
  frac?: number[][];
  cart_A?: number[][];
}

export function elementTypes(): string[] {
  const meta = JSON.parse(readFileSync(join(WEIGHTS_DIR, 'model.json'), 'utf8'));
  return meta.kwargs.model.init_args.element_types as string[];
}

export function referenceCases(): { cutoff: number; cases: Record<string, ReferenceCase> } {
  const ref = JSON.parse(readFileSync(join(WEIGHTS_DIR, 'reference_energies.json'), 'utf8'));
  return { cutoff: ref.cutoff_A, cases: ref.cases };
}

export const sharedPresent = (): boolean => existsSync(join(WEIGHTS_DIR, 'reference_energies.json'));

function invert(m: M3): M3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/** All directed pairs within `cutoff` over periodic images (lattice rows a, b, c in Å), by brute force. */
export function bruteForceGraph(name: string, species: number[], cart: number[][], lattice: M3 | null, cutoff: number): AtomsGraph {
  const shifts: number[][] = [];
  if (lattice) {
    const inv = invert(lattice);
    // images needed along axis k: cutoff over the spacing of lattice planes, 1/|column k of inv|
    const reps = [0, 1, 2].map((k) => Math.ceil(cutoff * Math.hypot(inv[0][k], inv[1][k], inv[2][k])) + 1);
    for (let i = -reps[0]; i <= reps[0]; i++)
      for (let j = -reps[1]; j <= reps[1]; j++)
        for (let k = -reps[2]; k <= reps[2]; k++)
          shifts.push([0, 1, 2].map((x) => i * lattice[0][x] + j * lattice[1][x] + k * lattice[2][x]));
  } else shifts.push([0, 0, 0]);
  const g: AtomsGraph = { name, species, cart, src: [], dst: [], shift: [] };
  for (const s of shifts) {
    const zero = s[0] === 0 && s[1] === 0 && s[2] === 0;
    for (let a = 0; a < cart.length; a++)
      for (let b = 0; b < cart.length; b++) {
        if (zero && a === b) continue;
        const d = Math.hypot(cart[b][0] + s[0] - cart[a][0], cart[b][1] + s[1] - cart[a][1], cart[b][2] + s[2] - cart[a][2]);
        if (d <= cutoff) {
          g.src.push(a);
          g.dst.push(b);
          g.shift.push(s[0], s[1], s[2]);
        }
      }
  }
  return g;
}

export function referenceGraph(name: string, c: ReferenceCase, types: string[], cutoff: number): AtomsGraph {
  const species = c.species.map((el) => {
    const i = types.indexOf(el);
    if (i < 0) throw new Error(`${name}: element ${el} is not in model.json element_types`);
    return i;
  });
  const lattice = c.pbc ? c.lattice_A! : null;
  const cart = c.cart_A ?? c.frac!.map((f) => [0, 1, 2].map((x) => f[0] * lattice![0][x] + f[1] * lattice![1][x] + f[2] * lattice![2][x]));
  return bruteForceGraph(name, species, cart, lattice, cutoff);
}

/** Disjoint union: atoms and edges concatenated, edge indices offset by the atoms before. */
export function concatGraphs(graphs: AtomsGraph[]): AtomsGraph {
  const out: AtomsGraph = { name: graphs.map((g) => g.name).join('+'), species: [], cart: [], src: [], dst: [], shift: [] };
  for (const g of graphs) {
    const offset = out.species.length;
    out.species.push(...g.species);
    out.cart.push(...g.cart);
    for (let e = 0; e < g.src.length; e++) {
      out.src.push(g.src[e] + offset);
      out.dst.push(g.dst[e] + offset);
    }
    out.shift.push(...g.shift);
  }
  return out;
}

export function feeds(ort: typeof Ort, g: AtomsGraph): Record<string, Ort.Tensor> {
  const n = g.species.length;
  const e = g.src.length;
  return {
    species: new ort.Tensor('int64', BigInt64Array.from(g.species, BigInt), [n]),
    positions: new ort.Tensor('float32', Float32Array.from(g.cart.flat()), [n, 3]),
    edge_src: new ort.Tensor('int64', BigInt64Array.from(g.src, BigInt), [e]),
    edge_dst: new ort.Tensor('int64', BigInt64Array.from(g.dst, BigInt), [e]),
    edge_shift: new ort.Tensor('float32', Float32Array.from(g.shift), [e, 3]),
  };
}

export async function atomEnergies(ort: typeof Ort, session: Ort.InferenceSession, g: AtomsGraph): Promise<Float32Array> {
  const out = await session.run(feeds(ort, g));
  return out.atom_energy.data as Float32Array;
}

/** Σ in float64 of float32 per-atom energies. */
export const total = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x, 0);
