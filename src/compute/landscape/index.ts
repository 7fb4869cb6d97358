/** Public surface of the method-independent grid analysis: grids, percolation, level maps, paths, volumetric files. */
export * from './grid';
export * from './levelmap';
export * from './path';
export * from './percolation';
export * from './stencil';
export * from './volumetric';
