/**
 * The OBELiX labels (labels.csv: id, σ(RT) in S/cm, family, literature Ea in eV; CC BY 4.0), read the one way every
 * validation script reads them. σ given as an upper bound ("<1E-10") has no log σ: it is excluded from the σ metrics,
 * not counted as a value. Families are grouped into the six the validation reports (perovskite, garnet, NASICON,
 * argyrodite, LGPS, other); they are used for reporting and held-out splits, never inside a computation.
 */
import { csv } from './metrics';

export interface Label {
  id: string;
  /** One of the six groups (familyGroup); `familyName` is the dataset's own word. */
  family: string;
  familyName: string;
  log10Sigma: number | null;
  literatureEa: number | null;
  composition: string;
  sigmaText: string;
}

export function familyGroup(family: string): string {
  const f = family.toLowerCase();
  if (f.startsWith('perovskite')) return 'perovskite';
  if (f.startsWith('garnet')) return 'garnet';
  if (f === 'nasicon') return 'NASICON';
  if (f.startsWith('argyrodite')) return 'argyrodite';
  if (f === 'lgps') return 'LGPS';
  return 'other';
}

export function readLabels(path: string): Map<string, Label> {
  const out = new Map<string, Label>();
  for (const l of csv(path)) {
    const s = Number(l.sigma_rt_S_per_cm);
    out.set(l.id, {
      id: l.id, family: familyGroup(l.family ?? ''), familyName: l.family ?? '', composition: l.reduced_composition ?? '', sigmaText: l.sigma_rt_S_per_cm ?? '',
      log10Sigma: l.sigma_rt_S_per_cm && !l.sigma_rt_S_per_cm.startsWith('<') && s > 0 ? Math.log10(s) : null,
      literatureEa: l.ea_literature_eV ? Number(l.ea_literature_eV) : null,
    });
  }
  return out;
}
