/** Public surface of the landscape module (BVSE grids, percolation, level maps, paths, export). */
export * from './analyze';
export * from './bvse';
export * from './errors';
export * from './export';
export * from './grid';
export * from './levelmap';
export * from './path';
export * from './percolation';
export * from './stencil';
export * from './work';
export { erfc } from './erfc';
