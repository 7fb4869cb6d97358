/**
 * The ranking table's page, with a strict CSP (scripts and styles by nonce only). No vscode import:
 * the extension passes `webview.asWebviewUri(dist/rankTable.js)`, the browser test an http URL.
 */
export interface RankTableHtmlOptions {
  scriptUri: string;
  /** A fresh random nonce per render ([A-Za-z0-9+/=]). */
  nonce: string;
  /** Extra script (the test harness), loaded before the table's, same nonce. */
  preludeUri?: string;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderRankTableHtml(o: RankTableHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(o.nonce)) throw new Error('renderRankTableHtml: nonce must be base64-like');
  const n = attr(o.nonce);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${n}">
 body { font-family: var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-foreground, #ccc); background: var(--vscode-editor-background, #1e1e1e); font-size: var(--vscode-font-size, 13px); }
 table { border-collapse: collapse; table-layout: fixed; font-size: var(--vscode-font-size, 13px); }
 th, td { padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); text-align: left; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
 th { position: sticky; top: 0; background: var(--vscode-editor-background, #1e1e1e); user-select: none; }
 th .label { cursor: pointer; display: block; overflow: hidden; text-overflow: ellipsis; }
 th .resizer { position: absolute; top: 0; right: 0; width: 7px; height: 100%; cursor: col-resize; }
 th .resizer:hover, th .resizer.active { background: var(--vscode-focusBorder, #007fd4); }
 td.num { text-align: right; font-variant-numeric: tabular-nums; }
 tr:hover, tr:focus { background: var(--vscode-list-hoverBackground, rgba(128,128,128,.15)); cursor: pointer; outline: none; }
 tr.failed td { color: var(--vscode-errorForeground, #f48771); }
 button { color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0e639c); border: none; padding: 4px 10px; margin-right: 6px; cursor: pointer; }
 button:hover { background: var(--vscode-button-hoverBackground, #1177bb); }
 input, select { font: inherit; color: var(--vscode-input-foreground, inherit); background: var(--vscode-input-background, transparent); border: 1px solid var(--vscode-input-border, rgba(128,128,128,.5)); padding: 1px 4px; }
 input[type=number] { width: 70px; }
 .bar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
 #summary { margin: 8px 0 2px; }
 #sort-caption { margin: 0 0 6px; color: var(--vscode-descriptionForeground, #999); }
</style></head><body>
<div class="bar">
  <span><button id="export-csv">Export CSV…</button><button id="export-json">Export JSON…</button></span>
  <label>Ea 1D below <input id="filter-ea" type="number" min="0" step="0.05" placeholder="any" aria-label="Show rows with Ea 1D below this value, eV"> eV</label>
  <label>Dimensionality <select id="filter-dim" aria-label="Show rows with this channel dimensionality">
    <option value="">any</option><option value="1">1D</option><option value="2">2D</option><option value="3">3D</option><option value="0">none</option>
  </select></label>
</div>
<div id="summary" role="status" aria-live="polite">starting…</div>
<div id="sort-caption" aria-live="polite"></div>
<table id="table" aria-label="Structure files ranked by Xi"></table>
${o.preludeUri ? `<script nonce="${n}" src="${attr(o.preludeUri)}"></script>` : ''}
<script nonce="${n}" src="${attr(o.scriptUri)}"></script>
</body></html>`;
}
