/** Hover text (Markdown) from a document analysis: pure, cheap, shared by the extension and tests. */
import { parseCifNumber } from '../cif/parser';
import { lookupTag } from './dictionary';
import type { DocumentAnalysis, Range } from './types';

const inside = (r: Range, line: number, ch: number) =>
  (line > r.startLine || (line === r.startLine && ch >= r.startColumn)) && (line < r.endLine || (line === r.endLine && ch <= r.endColumn));

export interface HoverResult { markdown: string; range: Range }

export function hoverAt(a: DocumentAnalysis, line: number, character: number): HoverResult | null {
  const tag = a.tags.find((t) => inside(t.range, line, character));
  if (tag) return { markdown: describeTag(tag.tag), range: tag.range };

  const parts: string[] = [];
  let range: Range | null = null;
  const value = a.values.find((v) => inside(v.range, line, character));
  if (value) {
    range = value.range;
    const info = lookupTag(value.tag);
    const n = parseCifNumber(value.text);
    const unit = info?.units && info.units !== 'degrees' ? ` ${info.units}` : info?.units === 'degrees' ? '°' : '';
    if (value.text === '?') parts.push(`\`?\` — unknown value of \`${info?.tag ?? value.tag}\``);
    else if (value.text === '.') parts.push(`\`.\` — not applicable for \`${info?.tag ?? value.tag}\``);
    else if (n) parts.push(`**${info?.title ?? value.tag}**: ${n.value}${unit}${n.su !== null ? ` ± ${Number(n.su.toPrecision(2))}${unit} (standard uncertainty)` : ''}`);
    else if (info) parts.push(`**${info.title}** (\`${info.tag}\`)`);
  }
  const row = a.atomSiteRows.find((r) => line >= r.line && line <= r.endLine);
  if (row && (value || line === row.line)) {
    const ox = row.oxidation === null ? 'unknown' : `${row.oxidation > 0 ? '+' : ''}${row.oxidation}${row.oxidationSource === 'guessed' ? ' (guessed by charge balance)' : ' (from the CIF)'}`;
    parts.push([
      `**Atom site ${row.label}**`,
      `- element: ${row.element ?? 'unknown'}`,
      `- oxidation state: ${ox}`,
      `- occupancy: ${row.occupancy}${row.occupancy < 1 ? ' (partial)' : ''}`,
      `- multiplicity in the cell after symmetry expansion: ${row.multiplicity ?? 'not available (the structure could not be built)'}`,
      ...(row.sharedWith.length ? [`- shares its position with: ${row.sharedWith.join(', ')}`] : []),
      ...(row.bondValenceSum !== null && row.oxidation ? [`- bond-valence sum: ${row.bondValenceSum.toFixed(2)} v.u. for valence ${Math.abs(row.oxidation)} (${(row.bondValenceSum / Math.abs(row.oxidation)).toFixed(2)}×; softBV parameters)`] : []),
    ].join('\n'));
    range ??= { startLine: row.line, startColumn: 0, endLine: row.line, endColumn: 0 };
  }
  return parts.length && range ? { markdown: parts.join('\n\n'), range } : null;
}

export function describeTag(tag: string): string {
  const info = lookupTag(tag);
  if (!info) return `\`${tag}\` — not in ionpath's digest of the core dictionary`;
  const also = info.aliases?.length ? `\n\nAlso written as ${info.aliases.map((x) => `\`${x}\``).join(', ')}.` : '';
  return `**${info.title}** — \`${info.tag}\`${info.units ? ` (${info.units})` : ''}\n\n${info.description}\n\n_category: ${info.category}_${also}`;
}
