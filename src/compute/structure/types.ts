/**
 * The structure model every computation in ionpath works on. Built from a CIF by `buildStructure`
 * (src/compute/structure/build.ts). Positions are fractional in the cell as given by the CIF
 * (never silently standardised); sites keep every species with its occupancy.
 */

export type Vec3 = [number, number, number];
/** 3×3 matrix, row-major: rows are the lattice vectors a, b, c in Cartesian Å. */
export type Mat3 = [Vec3, Vec3, Vec3];

export interface Lattice {
  a: number; b: number; c: number;           // Å
  alpha: number; beta: number; gamma: number; // degrees
  /** Rows are a, b, c in Cartesian Å (a along x, b in the xy plane: the usual crystallographic convention). */
  matrix: Mat3;
  /** Inverse of `matrix`: frac = cart · inverse. */
  inverse: Mat3;
  volume: number; // Å^3
}

/** One chemical species occupying (part of) a site. */
export interface SiteSpecies {
  element: string;           // canonical symbol, e.g. "Li"
  /** Formal oxidation state; null only before assignment. */
  oxidation: number | null;
  /** Where the oxidation state came from. 'guessed' means a charge-balance assignment, always reported. */
  oxidationSource: 'cif' | 'guessed' | 'none';
  occupancy: number;         // 0 < occ ≤ 1
  /** The `_atom_site_label` this species came from. */
  label: string;
}

/** A position in the expanded (P1) cell, with all species that share it. */
export interface Site {
  frac: Vec3;                // in [0, 1)
  cart: Vec3;                // Å
  species: SiteSpecies[];
  /** Index into `Structure.asymmetricSites` of the CIF site(s) that generated this one. */
  asymmetricIndex: number;
  /** Symmetry-distinct orbit index (moyo's orbits when available, else the asymmetric index). */
  orbit: number;
}

/** A row of `_atom_site_*` as written, after merging species listed at the same position. */
export interface AsymmetricSite {
  label: string;
  frac: Vec3;
  species: SiteSpecies[];
  /** Number of positions this site expands to in the cell. */
  multiplicity: number;
  /** 0-based line and column of the row's label (for messages). */
  line: number;
  column: number;
}

export interface SpaceGroupInfo {
  /** Hermann–Mauguin symbol as given in the CIF or found by moyo. */
  symbol: string | null;
  number: number | null;
  /** How the symmetry operations were obtained. */
  operationsSource: 'cif' | 'hm-symbol' | 'hall-symbol' | 'number' | 'none';
  operationCount: number;
  /** Space group that moyo finds in the built structure (occupancy-aware species), if analysis ran. */
  detected?: { number: number; symbol: string; hallNumber: number };
}

export type Severity = 'error' | 'warning' | 'info';

/** A located message. `line`/`column` are 0-based; `length` in characters on that line. */
export interface Located {
  line: number;
  column: number;
  length: number;
}

export interface StructureMessage {
  severity: Severity;
  code: string;             // stable machine-readable code, e.g. "no-li", "oxidation-guessed"
  message: string;
  at?: Located;
}

export interface Structure {
  /** The data block name (without `data_`). */
  name: string;
  lattice: Lattice;
  spaceGroup: SpaceGroupInfo;
  asymmetricSites: AsymmetricSite[];
  sites: Site[];
  /** Occupancy-weighted element counts per cell, e.g. { Li: 4, Fe: 4, P: 4, O: 16 }. */
  composition: Record<string, number>;
  /** Reduced formula string, e.g. "LiFePO4". */
  formula: string;
  /** Where oxidation states came from overall. */
  oxidationSource: 'cif' | 'guessed' | 'mixed' | 'unassigned';
  hasPartialOccupancy: boolean;
  messages: StructureMessage[];
}
