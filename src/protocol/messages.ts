/**
 * The method tables of ionpath's one protocol (see ./endpoint.ts). Extension → compute host:
 * `HostMethods`. Extension ↔ webview: ./scene.ts. Types only: no runtime code.
 */
import type { DocumentAnalysis } from '../compute/language/types';
import type { StructureSummary } from '../compute/structure/summary';
import type { StructureMessage } from '../compute/structure/types';

export interface HostInfo {
  pid: number;
  threadId: number;
  startedAt: number;
}

export interface HostMethods {
  [method: string]: { params: unknown; result: unknown; progress?: unknown };
  /** Liveness and start-up measurement. */
  ping: { params: Record<string, never>; result: HostInfo };
  /** Outline, folding, diagnostics, hover facts for one CIF document. */
  analyzeDocument: { params: { text: string }; result: DocumentAnalysis };
  /** Structure summary of one CIF (what `ionpath info` prints). */
  info: { params: { text: string }; result: { ok: boolean; summary: StructureSummary | null; messages: StructureMessage[] } };
  /** Test hook: busy-wait on the host thread (used to check that hung hosts are restarted). */
  spin: { params: { ms: number }; result: null };
}

/** The extension side serves nothing to the host (progress comes with requests). */
export interface ExtensionMethods {
  [method: string]: { params: unknown; result: unknown; progress?: unknown };
}
