/**
 * The webview's HTML, with a strict Content-Security-Policy. No vscode import: the extension calls
 * it with `webview.asWebviewUri(...)` strings and `webview.cspSource`, the browser test harness with
 * http://127.0.0.1 URLs.
 *
 * CSP: scripts only by nonce; styles from the extension's origin or the nonce'd <style> below
 * (@vscode-elements and three.js style through constructable stylesheets / the CSSOM, which CSP
 * allows; no 'unsafe-inline'); images from data:/blob: (canvas snapshots); the isosurface worker is
 * created from a blob: URL (VS Code cannot start a worker from a vscode-resource URI), whose source
 * the view fetches from `workerUri` (hence connect-src).
 */

export interface WebviewHtmlOptions {
  /** URI of dist/webview.js as the webview can load it. */
  scriptUri: string;
  /** URI of dist/isosurface.worker.js; without it isosurfaces are computed on the main thread. */
  workerUri?: string;
  /** `webview.cspSource` (the origin the webview loads extension resources from). */
  cspSource: string;
  /** A fresh random nonce per render ([A-Za-z0-9+/=]). */
  nonce: string;
  /** Optional extra stylesheet (e.g. codicons), loaded from `cspSource`. */
  styleUri?: string;
  /** Document title. */
  title?: string;
  /** URI of the CIF shown, kept in the view's state so the panel can be restored after a reload. */
  documentUri?: string;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    'worker-src blob:',
    `connect-src ${cspSource}`,
  ].join('; ');
}

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(o.nonce)) throw new Error('renderWebviewHtml: nonce must be base64-like');
  const n = attr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ionpath-worker" content="${attr(o.workerUri ?? '')}">
<meta name="ionpath-document" content="${attr(o.documentUri ?? '')}">
<title>${attr(o.title ?? 'ionpath')}</title>
${o.styleUri ? `<link rel="stylesheet" href="${attr(o.styleUri)}">` : ''}
<style nonce="${n}">${STYLE}</style>
</head>
<body>
${BODY}
<script nonce="${n}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: light dark; }
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; }
body {
  color: var(--vscode-foreground, #ccc);
  background: var(--vscode-editor-background, #1e1e1e);
  font-family: var(--vscode-font-family, system-ui, sans-serif);
  font-size: var(--vscode-font-size, 13px);
}
#app { display: flex; height: 100vh; width: 100vw; }
#viewport { position: relative; flex: 1 1 auto; min-width: 0; overflow: hidden; }
#viewport canvas { display: block; width: 100%; height: 100%; outline: none; }
#viewport canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: -1px; }
#panel {
  flex: 0 0 300px; overflow-y: auto; box-sizing: border-box; padding: 8px 12px 16px;
  border-left: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, rgba(128,128,128,.35)));
  background: var(--vscode-sideBar-background, transparent);
}
@media (max-width: 640px) {
  #app { flex-direction: column; }
  #panel { flex: 0 0 45%; border-left: none; border-top: 1px solid var(--vscode-panel-border, rgba(128,128,128,.35)); }
}
h2 { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; margin: 14px 0 6px;
  color: var(--vscode-sideBarSectionHeader-foreground, var(--vscode-foreground, inherit)); }
h2:first-child { margin-top: 4px; }
.title { font-weight: 600; margin: 0 0 2px; overflow-wrap: anywhere; }
.muted { color: var(--vscode-descriptionForeground, #999); }
.row { display: flex; align-items: center; gap: 6px; margin: 4px 0; flex-wrap: wrap; }
.row > .lbl { min-width: 72px; }
.row vscode-single-select.repeat { width: 50px; }
.row.repeats { flex-wrap: nowrap; gap: 4px; }
.row.repeats .lbl { min-width: 0; margin-right: 4px; }
.row.repeats label { margin-left: 4px; }
.row vscode-single-select.wide { flex: 1 1 140px; min-width: 120px; }
[hidden] { display: none !important; }
.stack { display: flex; flex-direction: column; gap: 4px; margin: 4px 0; }
.numbers { margin: 4px 0; padding: 0; list-style: none; font-variant-numeric: tabular-nums; }
.numbers li { margin: 1px 0; }
input[type=range] { flex: 1 1 120px; min-width: 80px; accent-color: var(--vscode-button-background, #0e639c); margin: 0; }
body.vscode-high-contrast input[type=range], body.vscode-high-contrast-light input[type=range] { accent-color: var(--vscode-focusBorder, #f38518); }
.slider { flex: 1 1 120px; min-width: 80px; display: flex; flex-direction: column; }
.slider input[type=range] { flex: none; width: 100%; }
input[type=number] {
  width: 64px; box-sizing: border-box; padding: 2px 4px; font: inherit;
  color: var(--vscode-input-foreground, inherit); background: var(--vscode-input-background, transparent);
  border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, rgba(128,128,128,.5))); border-radius: 2px;
}
input[type=color] { width: 32px; height: 22px; padding: 0; border: 1px solid var(--vscode-input-border, rgba(128,128,128,.5)); background: transparent; }
input:focus-visible, vscode-button:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: 1px; }
.ticks { position: relative; height: 18px; font-size: 10px; line-height: 1; }
.ticks span { position: absolute; top: 6px; transform: translateX(-50%); white-space: nowrap; color: var(--vscode-descriptionForeground, #999); }
.ticks span::before { content: ''; position: absolute; left: 50%; top: -6px; height: 4px; border-left: 1px solid currentColor; }
#legend {
  position: absolute; left: 8px; top: 8px; max-width: 45%; padding: 6px 8px; font-size: 12px; pointer-events: none;
  background: var(--vscode-editorWidget-background, rgba(30,30,30,.75)); color: var(--vscode-editorWidget-foreground, inherit);
  border: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35)); border-radius: 3px; opacity: .92;
}
#legend:empty { display: none; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1px solid rgba(128,128,128,.7); flex: none; }
.swatch.ring { background: transparent !important; border: 2px solid var(--vscode-foreground, #ccc); }
.swatch.halo { box-shadow: 0 0 0 2px #ffd54a; }
#legend .note { margin-top: 4px; font-size: 11px; color: var(--vscode-descriptionForeground, #999); }
#status {
  position: absolute; right: 8px; top: 8px; max-width: 50%; box-sizing: border-box; display: flex; align-items: center; gap: 6px; padding: 4px 8px; font-size: 12px;
  background: var(--vscode-editorWidget-background, rgba(30,30,30,.8)); border: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35)); border-radius: 3px;
}
#status[hidden] { display: none; }
#status.error { color: var(--vscode-errorForeground, #f48771); border-color: var(--vscode-inputValidation-errorBorder, #be1100); }
#status vscode-progress-ring { width: 16px; height: 16px; }
#empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; pointer-events: none; }
#empty[hidden] { display: none; }
#profile-wrap { position: relative; }
#profile { width: 100%; height: 170px; display: block; }
.buttons { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0; }
.section[hidden] { display: none; }
#caption {
  position: absolute; left: 8px; bottom: 8px; max-width: 60%; padding: 4px 8px; font-size: 12px; pointer-events: none;
  background: var(--vscode-editorWidget-background, rgba(30,30,30,.75)); border: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35)); border-radius: 3px;
  font-variant-numeric: tabular-nums;
}
#caption:empty, #pick:empty { display: none; }
#pick {
  position: absolute; right: 8px; bottom: 8px; max-width: 45%; padding: 4px 8px; font-size: 12px; pointer-events: none;
  background: var(--vscode-editorWidget-background, rgba(30,30,30,.85)); border: 1px solid #ff4fd8; border-radius: 3px; font-variant-numeric: tabular-nums;
}
#pick div { margin: 1px 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const repeatSelect = (axis: string) => `<label for="rep-${axis}">${axis}</label>
      <vscode-single-select id="rep-${axis}" class="repeat" aria-label="Repeats along ${axis}">
        <vscode-option value="1" selected>1</vscode-option><vscode-option value="2">2</vscode-option><vscode-option value="3">3</vscode-option>
      </vscode-single-select>`;

const BODY = `<div id="app">
  <main id="viewport">
    <div id="legend" aria-label="Legend"></div>
    <div id="status" role="status" aria-live="polite" hidden><span id="status-text"></span></div>
    <div id="empty" class="muted">Waiting for a structure…</div>
    <div id="caption" aria-label="Figure caption"></div>
    <div id="pick" role="status" aria-live="polite" aria-label="Picked atoms"></div>
  </main>
  <aside id="panel" aria-label="View controls">
    <section id="sec-structure">
      <h2>Structure</h2>
      <p class="title" id="structure-title">—</p>
      <p class="muted" id="structure-sub"></p>
      <div class="row repeats" role="group" aria-label="Supercell repeats"><span class="lbl">Repeats</span>
        ${repeatSelect('a')}${repeatSelect('b')}${repeatSelect('c')}
      </div>
      <div class="stack">
        <vscode-checkbox id="show-mobile" checked>Show mobile ions (highlighted)</vscode-checkbox>
        <vscode-checkbox id="show-bonds">Show bonds</vscode-checkbox>
        <vscode-checkbox id="show-polyhedra">Coordination polyhedra</vscode-checkbox>
        <vscode-checkbox id="ortho">Orthographic camera</vscode-checkbox>
      </div>
      <div class="row"><label class="lbl" for="colour-scheme">Colours</label>
        <vscode-single-select id="colour-scheme" class="wide" aria-label="Element colours">
          <vscode-option value="jmol" selected>Jmol</vscode-option><vscode-option value="vesta">VESTA</vscode-option>
        </vscode-single-select>
      </div>
      <p class="muted">Click atoms to measure: 2 give the distance, 3 the angle (Esc clears).</p>
      <div class="row"><label class="lbl" for="atom-scale">Atom size</label><input id="atom-scale" type="range" min="0.1" max="1" step="0.05" value="0.3"></div>
      <div class="buttons" role="group" aria-label="View direction">
        <vscode-button id="view-reset" secondary>Reset view</vscode-button>
        <vscode-button id="view-a" secondary aria-label="View along a">∥a</vscode-button>
        <vscode-button id="view-b" secondary aria-label="View along b">∥b</vscode-button>
        <vscode-button id="view-c" secondary aria-label="View along c">∥c</vscode-button>
      </div>
    </section>
    <section id="sec-landscape" class="section" hidden>
      <h2>Energy landscape</h2>
      <p class="muted" id="landscape-source"></p>
      <ul class="numbers" id="landscape-numbers"></ul>
      <vscode-checkbox id="show-iso" checked>Show isosurface</vscode-checkbox>
      <div class="row" id="iso-field-row" hidden><label class="lbl" for="iso-field">Surface of</label>
        <vscode-single-select id="iso-field" class="wide" aria-label="Surface of">
          <vscode-option value="energy" selected>energy</vscode-option>
          <vscode-option value="levelMap">connected level map</vscode-option>
        </vscode-single-select>
      </div>
      <div class="row"><label class="lbl" for="iso-level">Level (eV)</label>
        <div class="slider">
          <input id="iso-level" type="range" min="0" max="1" step="0.01" value="0.5" list="iso-ticks" aria-describedby="iso-level-text">
          <div class="ticks" id="iso-tick-labels" aria-hidden="true"></div>
        </div>
        <input id="iso-level-num" type="number" min="0" step="0.01" value="0.5" aria-label="Isosurface level in eV above the minimum">
      </div>
      <datalist id="iso-ticks"></datalist>
      <p class="muted" id="iso-level-text"></p>
      <div class="row"><label class="lbl" for="iso-opacity">Opacity</label><input id="iso-opacity" type="range" min="0.1" max="1" step="0.05" value="0.55"></div>
      <div class="row"><label class="lbl" for="iso-colour">Colour</label><input id="iso-colour" type="color" value="#3fa7ff"></div>
    </section>
    <section id="sec-ensemble" class="section" hidden>
      <h2>Ordered approximants</h2>
      <div class="buttons" role="group" aria-label="Step through the orderings">
        <vscode-button id="ordering-prev" secondary aria-label="Previous ordering">◀ Previous</vscode-button>
        <vscode-button id="ordering-next" secondary aria-label="Next ordering">Next ▶</vscode-button>
      </div>
      <p id="ordering-caption"></p>
      <p class="muted" id="ordering-note"></p>
    </section>
    <section id="sec-network" class="section" hidden>
      <h2>Interstitial network</h2>
      <vscode-checkbox id="show-network">Show interstitial network</vscode-checkbox>
      <p class="muted" id="network-text"></p>
    </section>
    <section id="sec-path" class="section" hidden>
      <h2>Migration path</h2>
      <vscode-checkbox id="show-path" checked>Show path</vscode-checkbox>
      <p id="path-barrier"></p>
      <div id="profile-wrap"><canvas id="profile" role="img" aria-label="Energy profile"></canvas></div>
    </section>
    <section id="sec-export">
      <h2>Export</h2>
      <div class="buttons">
        <vscode-single-select id="image-scale" class="repeat" aria-label="Image resolution">
          <vscode-option value="1">1×</vscode-option><vscode-option value="2" selected>2×</vscode-option><vscode-option value="4">4×</vscode-option>
        </vscode-single-select>
        <vscode-button id="save-image">Save image…</vscode-button>
        <vscode-button id="export-cube" secondary disabled>Export .cube</vscode-button>
        <vscode-button id="export-grd" secondary disabled>Export .grd</vscode-button>
      </div>
      <div class="row"><label class="lbl" for="export-kind">Data</label>
        <vscode-single-select id="export-kind" class="wide" aria-label="Data to export">
          <vscode-option value="structure-cif" selected>Ordered structure (CIF)</vscode-option>
          <vscode-option value="structure-poscar">Ordered structure (POSCAR)</vscode-option>
          <vscode-option value="neb">NEB image chain (POSCAR per image)</vscode-option>
          <vscode-option value="profile-csv">Energy profile (CSV)</vscode-option>
          <vscode-option value="report-json">Report (JSON)</vscode-option>
        </vscode-single-select>
      </div>
      <div class="row"><label class="lbl" for="neb-images">NEB images</label>
        <input id="neb-images" type="number" min="2" max="99" step="1" value="7" aria-label="NEB images including both ends">
        <vscode-button id="export-data" secondary disabled>Export…</vscode-button>
      </div>
    </section>
  </aside>
</div>`;
