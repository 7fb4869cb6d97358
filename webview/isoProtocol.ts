/** Messages between the view (main thread) and the isosurface worker, over an `Endpoint`. */
import type { Mat3 } from './marchingCubes';

export interface IsoGrid {
  /** Caller's key for this grid (e.g. 'energy', 'levelMap'); setting it again replaces the grid. */
  key: string;
  data: Float32Array;
  shape: [number, number, number];
  lattice: Mat3;
}

export interface IsoResult {
  positions: Float32Array;
  normals: Float32Array;
  indices: Uint32Array;
  /** The level this mesh is for. */
  level: number;
  key: string;
  /** Time spent in marching cubes inside the worker, ms. */
  ms: number;
}

export type IsoWorkerMethods = {
  setGrid: { params: IsoGrid; result: void };
  extract: { params: { key: string; level: number }; result: IsoResult };
};
