/**
 * ionpath's settings, typed, in one place (after rust-analyzer's editors/code/src/config.ts): every other module
 * asks this one, never `getConfiguration` directly. Settings that change numbers can differ per folder
 * (`scope: resource` in package.json), so they are read for the document's URI.
 */
import * as vscode from 'vscode';
import type { AnalysisOptions, DisorderTreatment, ScanCell, ScanVariant } from '../compute/analysis/options';
import { DEFAULT_RESOLUTION_A, mobileIonCharge } from '../compute/analysis/options';
import type { MethodId } from '../compute/energy/source';
import { structureInput } from './structureDocuments';

export const SECTION = 'ionpath';

/** The vscode-cif extension (github.com/hmkainul/vscode-cif): language id `cif`, scope `source.cif`, as ours. */
export const VSCODE_CIF_EXTENSION_ID = 'thisperiodictable.cif';

/**
 * Element + charge, e.g. "Li+", "Mg2+", "Al3+" (the setting's enum), or a bare element with its usual charge.
 * Anything else is passed on as it is, so that the analysis fails naming it rather than silently using Li.
 */
export function parseMobileIon(value: unknown): { ion: string; ionCharge: number } {
  const text = String(value).trim();
  const m = /^([A-Z][a-z]?)(\d*)\+?$/.exec(text);
  if (!m) return { ion: text, ionCharge: 1 };
  return { ion: m[1], ionCharge: m[2] ? Number(m[2]) : mobileIonCharge(m[1]) };
}

export class Config {
  private get(resource?: vscode.Uri) {
    return vscode.workspace.getConfiguration(SECTION, resource);
  }

  /** The options of the analysis shown inline and in the viewer for a document. */
  analysisOptions(resource?: vscode.Uri, method?: MethodId): AnalysisOptions {
    const c = this.get(resource);
    const { ion, ionCharge } = parseMobileIon(c.get<string>('mobileIon', 'Li+'));
    const o: AnalysisOptions = {
      method: method ?? c.get<MethodId>('inlineEa.method', 'bvse'),
      ion,
      ionCharge,
      resolution: c.get<number>('landscape.resolution', DEFAULT_RESOLUTION_A),
      mode: 'spse',
      disorder: c.get<DisorderTreatment>('disorder', 'mean-field'),
      cell: c.get<ScanCell>('potential.cell', 'primitive-standardized'),
      variant: c.get<ScanVariant>('potential.variant', 'other-li-kept'),
      ...structureInput(resource), // the document's format (POSCAR, XYZ, CIF) and chosen data block
    };
    // Model paths load files: honoured only in trusted workspaces.
    const model = c.get<string>('potential.modelPath', '');
    if (model && vscode.workspace.isTrusted) o.modelPath = model;
    return o;
  }

  rankMethod(resource?: vscode.Uri): MethodId {
    return this.get(resource).get<MethodId>('rank.method', 'bvse');
  }

  inlineEnabled(resource?: vscode.Uri): boolean {
    return this.get(resource).get<boolean>('inlineEa.enabled', true);
  }

  /** Show Ea(GCN-IN) while the inline method computes (see InlineBarriers). */
  gcnPreviewEnabled(resource?: vscode.Uri): boolean {
    return this.get(resource).get<boolean>('inlineEa.gcnPreview', true);
  }

  /**
   * Whether ionpath provides the generic CIF language features (tag completion, tag/value hovers, syntax
   * diagnostics). `auto`: off when the vscode-cif extension is installed, which serves the same language id.
   */
  cifLanguageFeatures(resource?: vscode.Uri): boolean {
    const v = this.get(resource).get<'auto' | 'on' | 'off'>('cif.languageFeatures', 'auto');
    return v === 'on' || (v !== 'off' && !vscode.extensions.getExtension(VSCODE_CIF_EXTENSION_ID));
  }

  codeLensEnabled(resource?: vscode.Uri): boolean {
    return this.get(resource).get<boolean>('codeLens.enabled', true);
  }

  /** Did a change touch settings that change analysis numbers or views? */
  static affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}

export const config = new Config();
