/**
 * Messages between the extension and the structure/landscape webview. Both sides hold an
 * `Endpoint` (./endpoint.ts) over the webview message channel:
 *
 *   extension side: new Endpoint<WebviewMethods, ExtensionMethodsFromWebview, WebviewNotifications, ExtensionNotificationsFromWebview>
 *   webview side:   new Endpoint<ExtensionMethodsFromWebview, WebviewMethods, ExtensionNotificationsFromWebview, WebviewNotifications>
 *
 * Typed arrays (`Float32Array` grids) cross as-is by structured clone, once per change: the
 * extension sends a landscape only when it changed (`setScene` with `landscape` undefined keeps
 * the current one). Nothing here depends on vscode, Node or the DOM.
 */
import type { Mat3, Vec3 } from '../compute/structure/types';

export type { Mat3, Vec3 };

/** One chemical species on a site, with its occupancy (0 < occupancy ≤ 1). */
export interface SceneSpecies {
  element: string;
  occupancy: number;
}

/** One position of the P1 cell. */
export interface SceneAtom {
  /** The majority species' element (what the sphere is coloured as). */
  element: string;
  /** Fractional coordinates (any value; the webview wraps them into [0, 1)). */
  frac: Vec3;
  /** Total occupancy of the site (sum over species; < 1 means partially occupied). */
  occupancy: number;
  /** The CIF `_atom_site_label`. */
  label: string;
  /** True for the mobile ion (Li): highlighted and toggleable in the view. */
  mobile: boolean;
  /** Every species on the site; more than one means a mixed site. */
  species: SceneSpecies[];
}

export interface SceneStructure {
  /** Data block name. */
  name: string;
  /** Reduced formula, e.g. "LiFePO4". */
  formula: string;
  /** Rows are a, b, c in Cartesian Å. */
  lattice: Mat3;
  atoms: SceneAtom[];
  /**
   * The mobile ion's element ("Li"). Optional: without it the view takes the element common to every
   * `mobile` site. Other species on mobile sites (a Ga or Al dopant on a Li site) are framework, not mobile.
   */
  mobileIon?: string;
}

/** Which energy source produced the scene's numbers, for the caption: `Ea(${label}, 1D) 0.39 eV`. */
export interface SceneSource {
  /** Machine name of the method, e.g. "bvse", "gcn", "potential-scan". */
  method: string;
  /** Short label shown inside Ea(…), e.g. "BVSE" or "GCN". */
  label: string;
}

/**
 * A periodic scalar grid over the unit cell. Value index (i0*n1 + i1)*n2 + i2 sits at fractional
 * (i0/n0, i1/n1, i2/n2); the grid wraps (point n_k is point 0). Energies are in eV; the
 * percolation barriers `ea1D/2D/3D` are measured from the grid minimum (they are levels
 * `min(data) + ea`), and `null` when that dimensionality is never reached.
 */
export interface SceneLandscape {
  shape: [number, number, number];
  data: Float32Array;
  /** Which energy this is, shown with every number, e.g. "BVSE" or "TensorNet-MatPES PES". */
  method: string;
  /** Longer provenance, e.g. "BVSE, 0.2 Å grid, softBV parameters". */
  source?: string;
  unit: 'eV';
  ea1D: number | null;
  ea2D: number | null;
  ea3D: number | null;
  /**
   * Optional minimax level map on the same grid (eV above the minimum): each point's lowest possible
   * maximum energy on a path from the mobile ion's minimum. When present the view can draw the
   * connected region instead of the raw energy.
   */
  levelMap?: Float32Array;
  /**
   * Channel dimensionality of the result as the report states it (the number of directions in which
   * the mobile ion percolates by the report's convention), or null when it does not percolate. Used for
   * the profile's wording; optional (older hosts): then the view derives nothing from it.
   */
  dimensionality?: 0 | 1 | 2 | 3 | null;
}

export interface ScenePath {
  /** Cartesian Å, in order along the path; may leave the unit cell (unwrapped). */
  points: Vec3[];
  /** eV, one per point (same zero as the landscape, i.e. above its minimum when it has one). */
  energies: number[];
  /** Cumulative distance along the path in Å, one per point, starting at 0. */
  distances: number[];
  /** Highest energy minus the path's start (or as the method defines it), eV. */
  barrier: number;
  /** How the path was found, shown with the barrier, e.g. "BVSE, minimum-energy path". */
  method: string;
}

/**
 * The interstitial network of the Li-free framework (src/compute/network/: radical Voronoi of the framework ions
 * with Shannon radii; interstices = nodes, bottlenecks = edges). Fractional coordinates of the scene's cell.
 */
export interface SceneNetwork {
  nodes: { frac: Vec3; /** Interstice radius (Å). */ radius: number }[];
  /** Node b sits in the cell translated by `offset` (lattice vectors) from node a's. */
  edges: { a: number; b: number; offset: Vec3; /** Bottleneck radius (Å). */ bottleneck: number }[];
  /** Radius (Å) at and above which an interstice or bottleneck is Li-accessible (CAVD: 0.85 × 0.5327 Å). */
  accessibleRadius: number;
  /** Channel dimensionality of the network at its own probe radius (network.ts), and that probe (Å). */
  dimensionality: number;
  probeRadius: number;
  /** What the network was built on, e.g. "Voronoi, Li-free framework" (+ "of ordering 1" for approximants). */
  caption: string;
}

/** One ordering of an ordered-approximant ensemble (`disorder: approximants`), lowest Ewald energy first. */
export interface SceneOrdering {
  kind: 'low-energy' | 'random';
  /** Ewald energy of the supercell with formal charges (eV). */
  ewald_eV: number;
  Ea_1D_eV: number | null;
  Ea_3D_eV: number | null;
  structure: SceneStructure;
  /** Its own landscape and path when the host sent them (a size budget); null: not sent. */
  landscape: SceneLandscape | null;
  path: ScenePath | null;
  /** True for the ordering whose numbers the report gives (the scene's structure/landscape). */
  reported: boolean;
}

export interface SceneEnsemble {
  /** Supercell of the approximants, e.g. "2×2×1" (or "4 cells" when not diagonal). */
  supercell: string;
  /** How the reported Ea is chosen, e.g. "lowest Ea over the orderings". */
  rule: string;
  orderings: SceneOrdering[];
}

/** What the viewer can ask the extension to write (the same pure functions as `ionpath analyze`: analysis/exports.ts). */
export type SceneExportKind = 'structure-cif' | 'structure-poscar' | 'neb' | 'profile-csv' | 'report-json';

/** View options the extension may set (all optional; the user can change them in the view). */
export interface SceneViewOptions {
  /** Supercell repeats along a, b, c, each 1–3. */
  repeats?: [number, number, number];
  /** Isosurface level in eV above the grid minimum. */
  level?: number;
  showBonds?: boolean;
  showMobile?: boolean;
  showIsosurface?: boolean;
  showPath?: boolean;
  /** Parallel projection (figures) instead of perspective. */
  orthographic?: boolean;
  /** Coordination polyhedra of the framework cations. */
  showPolyhedra?: boolean;
  /** Element colours: Jmol's palette (default) or VESTA's. */
  colourScheme?: 'jmol' | 'vesta';
  /** The interstitial network (when the scene has one). */
  showNetwork?: boolean;
}

/**
 * `setScene` params. For each of structure / landscape / path: undefined keeps what the view shows,
 * null clears it, a value replaces it.
 */
export interface SceneUpdate {
  structure?: SceneStructure | null;
  landscape?: SceneLandscape | null;
  path?: ScenePath | null;
  options?: SceneViewOptions;
  /** The energy source, for the caption (undefined keeps, null clears). */
  source?: SceneSource | null;
  /** The interstitial network (undefined keeps, null clears). */
  network?: SceneNetwork | null;
  /** The ordered-approximant ensemble (undefined keeps, null clears). */
  ensemble?: SceneEnsemble | null;
}

/** What the view drew (answer to `setScene`, and the `rendered` notification). */
export interface SceneRendered {
  /** Atom spheres drawn, counting every periodic image shown (faces/edges/corners, supercell). */
  atomCount: number;
  /** Vertices of the isosurface mesh over the whole supercell (0 when none). */
  isosurfaceVertexCount: number;
  /** Points of the migration path (0 when none). */
  pathPointCount: number;
  /** True once the isosurface for the current level is in place (it is computed in a worker). */
  isosurfaceDone: boolean;
  /** Interstitial-network nodes and edges drawn over the whole supercell (0 when hidden or none). */
  networkNodeCount?: number;
  networkEdgeCount?: number;
  /** 0-based index of the ordering shown (lowest Ewald first), when the scene has an ensemble. */
  ordering?: number;
}

export type SceneState = 'computing' | 'ready' | 'error';

export interface SceneStatus {
  state: SceneState;
  message: string;
}

/** Extension → webview requests. */
export type WebviewMethods = {
  setScene: { params: SceneUpdate; result: SceneRendered };
  setStatus: { params: SceneStatus; result: void };
};

/** Webview → extension requests. */
export type ExtensionMethodsFromWebview = {
  /** The view is loaded and listening; the extension answers by sending the scene. */
  ready: { params: { protocolVersion: 1 }; result: void };
  /** Save a PNG of the 3D view; the extension asks where. Returns the saved path, or null if cancelled. */
  saveImage: { params: { pngBase64: string; suggestedName?: string; /** Pixel scale of the figure (1, 2 or 4 × the view). */ scale?: number }; result: { path: string | null } };
  /** Export the current landscape grid; the extension writes it. Returns the path, or null if cancelled. */
  exportGrid: { params: { format: 'cube' | 'grd' }; result: { path: string | null } };
  /**
   * Export the structure shown (ordering: 0-based, lowest Ewald first, for an ensemble), the NEB image chain of its
   * path (`images` including both ends, default 7), the energy profile as CSV, or the report as JSON.
   */
  exportData: { params: { kind: SceneExportKind; ordering?: number; images?: number }; result: { path: string | null } };
};

/** Extension → webview notifications. */
export type WebviewNotifications = {
  /** Change view options without resending data. */
  setOptions: SceneViewOptions;
};

/** Webview → extension notifications. */
export type ExtensionNotificationsFromWebview = {
  /** Sent after every change of what is drawn (also after an isosurface finishes in the worker). */
  rendered: SceneRendered;
  /** Something went wrong in the view; the extension logs it. */
  viewError: { message: string };
};

export const SCENE_PROTOCOL_VERSION = 1 as const;
