/**
 * The method tables of ionpath's one protocol (see ./endpoint.ts). Extension → compute host:
 * `HostMethods`. Extension ↔ webview: ./scene.ts. Types only: no runtime code.
 */
import type { DocumentAnalysis } from '../compute/language/types';
import type { StructureSummary } from '../compute/structure/summary';
import type { StructureMessage } from '../compute/structure/types';
import type { StructureFormat } from '../compute/structure/read';
import type { LandscapeJobOptions, LandscapeJobResult } from '../compute/analysis/job';
import type { SceneEnsemble, SceneExportKind, SceneLandscape, SceneNetwork, ScenePath, SceneSource, SceneStructure } from './scene';

/** The energy grid as it crosses the protocol: one transferable Float32Array per change. */
export interface GridPayload {
  shape: [number, number, number];
  /** E − Emin in eV, index (i0·n1 + i1)·n2 + i2 at fractional (i0/n0, i1/n1, i2/n2). */
  data: Float32Array;
  lattice: [[number, number, number], [number, number, number], [number, number, number]];
  source: string;
}

export interface HostInfo {
  pid: number;
  threadId: number;
  startedAt: number;
}

export type HostMethods = {
  /** Liveness and start-up measurement. */
  ping: { params: Record<string, never>; result: HostInfo };
  /** Outline, folding, diagnostics, hover facts for one CIF document. */
  analyzeDocument: { params: { text: string; format?: StructureFormat; block?: string }; result: DocumentAnalysis };
  /** Structure summary of one CIF (what `ionpath info` prints). */
  info: { params: { text: string; format?: StructureFormat; block?: string }; result: { ok: boolean; summary: StructureSummary | null; messages: StructureMessage[] } };
  /** BVSE landscape, barriers, descriptors, path of one CIF. Progress: fraction done (0–1). */
  landscape: { params: { text: string; options: LandscapeJobOptions; withGrid: boolean }; result: { result: LandscapeJobResult; grid: GridPayload | null }; progress: number };
  /** The landscape as a file's text: Gaussian cube, VESTA grd, or the JSON report. */
  exportLandscape: { params: { text: string; options: LandscapeJobOptions; format: 'cube' | 'grd' | 'json' }; result: { ok: boolean; content: string | null; error: string | null }; progress: number };
  /** Everything the landscape viewer shows for one CIF. The grid is transferred, not copied. */
  scene: {
    /** `network: false` leaves the interstitial network out (ask `sceneNetwork` after: it can cost as much as BVSE). */
    params: { text: string; options: LandscapeJobOptions; network?: boolean };
    result: {
      structure: SceneStructure | null; landscape: SceneLandscape | null; path: ScenePath | null; source: SceneSource | null; result: LandscapeJobResult | null; messages: StructureMessage[];
      /** The interstitial network of the framework shown, and the ordered-approximant ensemble (optional: older hosts). */
      network?: SceneNetwork | null; ensemble?: SceneEnsemble | null;
    };
    progress: number;
  };
  /** The interstitial network of the framework the scene shows (same analysis, cached), or null. */
  sceneNetwork: { params: { text: string; options: LandscapeJobOptions }; result: { network: SceneNetwork | null }; progress: number };
  /**
   * Ordered structure (CIF, POSCAR), NEB image chain, energy-profile CSV or JSON report of one analysis
   * (src/compute/analysis/exports.ts). `ordering`: 0-based, lowest Ewald energy first (default: the reported one).
   */
  exportAnalysis: {
    params: { text: string; options: LandscapeJobOptions; kind: SceneExportKind; ordering?: number; images?: number };
    result: { ok: boolean; files: { name: string; content: string }[]; error: string | null };
    progress: number;
  };
  /**
   * What the TensorNet-MatPES scans of this structure will cost (their plans, no inference), to show before starting:
   * one scan, or with `disorder: approximants` one per distinct framework of the orderings (`structures`); `atoms` is
   * the largest cell's.
   */
  estimateScan: {
    params: { text: string; options: LandscapeJobOptions };
    result: { ok: boolean; structures: number; evaluations: number; atoms: number; seconds: number; error: string | null };
  };
  /** Test hook: busy-wait on the host thread (used to check that hung hosts are restarted). */
  spin: { params: { ms: number }; result: null };
}

/** The extension side serves nothing to the host (progress comes with requests). */
export type ExtensionMethods = {
}
