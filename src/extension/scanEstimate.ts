/**
 * What a TensorNet-MatPES scan of a document will cost, asked of the compute host before anything runs (its plan:
 * grid, site symmetry, skipped points; no inference) and said in words: "≈ 22 s, 4,139 evaluations". Shown in the
 * "Compute Ξ" CodeLens and in the command's progress. Cached by the job's key (text + options).
 */
import type * as vscode from 'vscode';
import type { HostClient } from '../compute/host/client';
import { landscapeJobKey } from '../compute/analysis/job';
import { describeScanEstimate } from '../compute/energy/mlip/scan';
import { config } from './config';

const KEEP = 32;

export class ScanEstimates {
  private readonly byKey = new Map<string, Promise<string>>();

  constructor(private readonly host: HostClient) {}

  /** "≈ 22 s, 4,139 evaluations on 2 CPU threads", or why there is no estimate. */
  describe(document: vscode.TextDocument): Promise<string> {
    const text = document.getText();
    const options = config.analysisOptions(document.uri, 'mlip');
    const key = landscapeJobKey(text, options);
    let p = this.byKey.get(key);
    if (!p) {
      p = this.host.request('estimateScan', { text, options }, { timeoutMs: 30_000 }).then(
        (e) => (e.ok ? describeScanEstimate(e) : `cannot scan: ${shorten(e.error ?? 'unknown reason')}`),
        (e: unknown) => `no estimate: ${shorten(e instanceof Error ? e.message : String(e))}`,
      );
      this.byKey.set(key, p);
      while (this.byKey.size > KEEP) this.byKey.delete(this.byKey.keys().next().value!);
    }
    return p;
  }
}

function shorten(s: string): string {
  const first = s.split(/(?<=[.:;])\s/)[0];
  return first.length > 90 ? `${first.slice(0, 87)}…` : first;
}
