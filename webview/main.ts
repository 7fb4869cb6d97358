/**
 * Webview entry. Talks to the extension through one `Endpoint` (src/protocol/endpoint.ts) over the
 * webview message channel: in VS Code `acquireVsCodeApi().postMessage` / window 'message' events;
 * in a plain browser (the test harness) messages to the host go to `window.__ionpathHost(message)`
 * (queued in `window.__ionpathOutbox` until the host installs it) and the host answers with
 * `window.postMessage(message, '*')`.
 *
 * Test hooks: `window.__ionpathTest` (see `TestHooks`).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';

import { Endpoint, type Channel, type WireMessage } from '../src/protocol/endpoint';
import {
  SCENE_PROTOCOL_VERSION,
  type ExtensionMethodsFromWebview, type ExtensionNotificationsFromWebview, type SceneEnsemble, type SceneExportKind, type SceneLandscape, type SceneNetwork, type ScenePath,
  type SceneRendered, type SceneSource, type SceneStatus, type SceneStructure, type SceneUpdate, type SceneViewOptions,
  type WebviewMethods, type WebviewNotifications,
} from '../src/protocol/scene';
import { CoalescingExtractor, IsoClient } from './isoClient';
import { marchingCubes } from './marchingCubes';
import { drawProfile } from './profile';
import { cssColourAt } from './colormap';
import { onThemeChange, readTheme } from './theme';
import { DEFAULT_OPTIONS, Viewer, type ViewOptions } from './viewer';
import { cssColour, elementColour } from './elements';
import { eaText, fmtEnergy } from './format';
import { composeFigure, type FigureLayout, type FigureLegendEntry } from './figure';

// ------------------------------------------------------------------ error capture (first, for tests)

const consoleErrors: string[] = [];
{
  const orig = console.error.bind(console);
  console.error = (...args: unknown[]) => { consoleErrors.push(args.map(String).join(' ')); orig(...args); };
  window.addEventListener('error', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => consoleErrors.push(`unhandled rejection: ${String((e as PromiseRejectionEvent).reason)}`));
  document.addEventListener('securitypolicyviolation', (e) => consoleErrors.push(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
}

// ------------------------------------------------------------------ channel

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare const acquireVsCodeApi: undefined | (() => VsCodeApi);
type HostWindow = Window & { __ionpathHost?: (m: WireMessage) => void; __ionpathOutbox?: WireMessage[]; __ionpathTest?: unknown };
const win = window as HostWindow;

const vscode: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const WIRE_KINDS = new Set(['request', 'progress', 'result', 'error', 'cancel', 'notify']);

const channel: Channel = {
  post(m) {
    if (vscode) vscode.postMessage(m);
    else if (win.__ionpathHost) win.__ionpathHost(m);
    else (win.__ionpathOutbox ??= []).push(m);
  },
  listen(handler) {
    const f = (e: MessageEvent) => {
      const d = e.data as WireMessage | undefined;
      if (d && typeof d === 'object' && WIRE_KINDS.has((d as { kind?: string }).kind ?? '')) handler(d);
    };
    window.addEventListener('message', f);
    return () => window.removeEventListener('message', f);
  },
};

const endpoint = new Endpoint<ExtensionMethodsFromWebview, WebviewMethods, ExtensionNotificationsFromWebview, WebviewNotifications>(channel);

// ------------------------------------------------------------------ DOM

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
type Checkbox = HTMLElement & { checked: boolean };
type Select = HTMLElement & { value: string };
type Button = HTMLElement & { disabled: boolean };

const ui = {
  viewport: $('viewport'), legend: $('legend'), status: $('status'), statusText: $('status-text'), empty: $('empty'),
  title: $('structure-title'), sub: $('structure-sub'),
  rep: ['a', 'b', 'c'].map((x) => $<Select>(`rep-${x}`)),
  showMobile: $<Checkbox>('show-mobile'), showBonds: $<Checkbox>('show-bonds'), atomScale: $<HTMLInputElement>('atom-scale'),
  showPolyhedra: $<Checkbox>('show-polyhedra'), ortho: $<Checkbox>('ortho'), colourScheme: $<Select>('colour-scheme'),
  caption: $('caption'), pick: $('pick'), imageScale: $<Select>('image-scale'),
  viewButtons: { reset: $('view-reset'), a: $('view-a'), b: $('view-b'), c: $('view-c') },
  secLandscape: $('sec-landscape'), landscapeSource: $('landscape-source'), landscapeNumbers: $('landscape-numbers'),
  showIso: $<Checkbox>('show-iso'), isoFieldRow: $('iso-field-row'), isoField: $<Select>('iso-field'),
  level: $<HTMLInputElement>('iso-level'), levelNum: $<HTMLInputElement>('iso-level-num'), ticks: $('iso-ticks'), tickLabels: $('iso-tick-labels'),
  levelText: $('iso-level-text'), opacity: $<HTMLInputElement>('iso-opacity'), colour: $<HTMLInputElement>('iso-colour'),
  secPath: $('sec-path'), showPath: $<Checkbox>('show-path'), barrier: $('path-barrier'), profile: $<HTMLCanvasElement>('profile'),
  saveImage: $<Button>('save-image'), exportCube: $<Button>('export-cube'), exportGrd: $<Button>('export-grd'),
  secNetwork: $('sec-network'), showNetwork: $<Checkbox>('show-network'), networkText: $('network-text'),
  secEnsemble: $('sec-ensemble'), orderingPrev: $<Button>('ordering-prev'), orderingNext: $<Button>('ordering-next'),
  orderingCaption: $('ordering-caption'), orderingNote: $('ordering-note'),
  exportKind: $<Select>('export-kind'), nebImages: $<HTMLInputElement>('neb-images'), exportData: $<Button>('export-data'),
};

// ------------------------------------------------------------------ state

interface Persisted { options: ViewOptions; isoField: 'energy' | 'levelMap'; level?: { key: string; rel: number }; documentUri?: string }
/** The CIF this panel shows; persisted so that VS Code's serializer can restore the panel after a reload. */
const documentUri = document.querySelector<HTMLMetaElement>('meta[name="ionpath-document"]')?.content || undefined;
const persisted = (vscode?.getState() ?? null) as Persisted | null;

let theme = readTheme();
const viewer = new Viewer(ui.viewport, theme);
viewer.setOptions({ ...DEFAULT_OPTIONS, ...(persisted?.options ?? {}) });

let structure: SceneStructure | null = null;
let landscape: SceneLandscape | null = null;
let path: ScenePath | null = null;
let source: SceneSource | null = null;
let network: SceneNetwork | null = null;
let ensemble: SceneEnsemble | null = null;
/** The ordering shown (index into ensemble.orderings, lowest Ewald first). */
let orderingIndex = 0;
/** The reported ordering's structure, landscape and path (what the scene came with). */
let reportedScene: { structure: SceneStructure | null; landscape: SceneLandscape | null; path: ScenePath | null } | null = null;
let lastFigure: (FigureLayout & { scale: number }) | null = null;
let isoField: 'energy' | 'levelMap' = persisted?.isoField ?? 'energy';
let levelRel = 0.5;
let landscapeRange = { min: 0, max: 1, mapMin: 0, mapMax: 1 };
let isoDone = true;
let isoMs: number | null = null;
let profileDrawn = false;
let gridsVersion = 0;

const workerUri = document.querySelector<HTMLMetaElement>('meta[name="ionpath-worker"]')?.content || undefined;
const clientReady = IsoClient.create(workerUri);
let extractor: CoalescingExtractor | null = null;
let isoClient: IsoClient | null = null;
void clientReady.then((client) => {
  isoClient = client;
  extractor = new CoalescingExtractor(client, (r, final) => {
    viewer.setIsoMesh(r);
    isoMs = r.ms;
    if (final) { isoDone = true; updateLevelText(); scheduleRendered(); }
  }, (e) => {
    isoDone = true;
    reportError(`Isosurface failed: ${e instanceof Error ? e.message : String(e)}`);
  });
});

function landscapeKey(l: SceneLandscape): string {
  return `${l.method}|${l.shape.join('x')}`;
}

function persist(): void {
  vscode?.setState({ options: viewer.getOptions(), isoField, level: landscape ? { key: landscapeKey(landscape), rel: levelRel } : undefined, documentUri } satisfies Persisted);
}

// ------------------------------------------------------------------ rendering of state

function counts(): SceneRendered {
  return {
    atomCount: viewer.atomCount,
    isosurfaceVertexCount: viewer.isoStats().vertexCount,
    pathPointCount: path ? path.points.length : 0,
    isosurfaceDone: isoDone,
    networkNodeCount: viewer.networkNodeCount,
    networkEdgeCount: viewer.networkEdgeCount,
    ...(ensemble ? { ordering: orderingIndex } : {}),
  };
}

let renderedTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRendered(): void {
  clearTimeout(renderedTimer);
  renderedTimer = setTimeout(() => endpoint.notify('rendered', counts()), 0);
}

function reportError(message: string): void {
  console.warn(`ionpath: ${message}`);
  setStatus({ state: 'error', message });
  endpoint.notify('viewError', { message });
}

function setStatus(s: SceneStatus): void {
  ui.status.hidden = !s.message && s.state !== 'computing';
  ui.status.classList.toggle('error', s.state === 'error');
  ui.statusText.textContent = s.message || (s.state === 'computing' ? 'Computing…' : '');
  const ring = ui.status.querySelector('vscode-progress-ring');
  if (s.state === 'computing' && !ring) {
    const r = document.createElement('vscode-progress-ring');
    r.setAttribute('aria-hidden', 'true');
    ui.status.prepend(r);
  } else if (s.state !== 'computing' && ring) ring.remove();
}

/** The mobile ion's element: the scene's, else the one element present on every mobile site (Li preferred). */
function mobileElement(st: SceneStructure): string | null {
  if (st.mobileIon) return st.mobileIon;
  let common: string[] | null = null;
  for (const a of st.atoms) {
    if (!a.mobile) continue;
    const els = (a.species?.length ? a.species : [{ element: a.element, occupancy: a.occupancy }]).map((x) => x.element);
    common = common === null ? els : common.filter((e: string) => els.includes(e));
  }
  if (!common || !common.length) return null;
  return common.includes('Li') ? 'Li' : common[0];
}

/** Legend entries (element, count per cell, role) and notes, shared by the on-screen legend and the saved figure. */
function legendModel(): { entries: (FigureLegendEntry & { element: string })[]; notes: string[] } {
  if (!structure) return { entries: [], notes: [] };
  const scheme = viewer.getOptions().colourScheme;
  const ion = mobileElement(structure);
  const byElement = new Map<string, { count: number; mobile: boolean; onMobileSite: boolean }>();
  let partial = false, mixed = false;
  for (const a of structure.atoms) {
    const species = a.species?.length ? a.species : [{ element: a.element, occupancy: a.occupancy }];
    const total = species.reduce((s, x) => s + x.occupancy, 0);
    if (species.length > 1) mixed = true;
    else if (total < 0.999) partial = true;
    for (const sp of species) {
      const e = byElement.get(sp.element) ?? { count: 0, mobile: false, onMobileSite: false };
      e.count += sp.occupancy;
      // Only the mobile ion itself is "mobile"; a dopant sharing its site is framework (BVSE keeps it fixed).
      if (a.mobile && sp.element === ion) e.mobile = true;
      else if (a.mobile) e.onMobileSite = true;
      byElement.set(sp.element, e);
    }
  }
  const entries: (FigureLegendEntry & { element: string })[] = [];
  for (const [el, info] of byElement) {
    const n = Math.abs(info.count - Math.round(info.count)) < 1e-6 ? String(Math.round(info.count)) : info.count.toFixed(2);
    const role = info.mobile ? ' (mobile)' : info.onMobileSite && ion ? ` (on ${ion} sites, fixed)` : '';
    entries.push({ element: el, colour: cssColour(elementColour(el, scheme)), text: `${el} ×${n} per cell${role}`, halo: info.mobile });
  }
  const notes: string[] = [];
  if (entries.some((x) => x.halo)) notes.push('Yellow halo: mobile ion.');
  if (partial || mixed) notes.push('Translucent with a ring: ' + [partial ? 'partially occupied (grey ring = vacancy)' : '', mixed ? 'mixed site (ring = second species)' : ''].filter(Boolean).join('; ') + '.');
  if (viewer.getOptions().showPolyhedra) notes.push('Polyhedra: framework cations and their anion neighbours.');
  const nl = networkLegend();
  if (nl) notes.push(nl);
  return { entries, notes };
}

/** The network's legend line, when it is drawn: "interstitial network (Voronoi, Li-free framework): …". */
function networkLegend(): string | null {
  if (!network || !viewer.networkNodeCount) return null;
  const r = viewer.networkRadiusRange();
  return `Interstitial network (${network.caption}): spheres = interstices sized and coloured by radius, lines = bottlenecks coloured by radius` +
    (r ? ` (viridis ${r.min.toFixed(2)}–${r.max.toFixed(2)} Å)` : '') + `; opaque = Li-accessible (r ≥ ${network.accessibleRadius.toFixed(3)} Å).`;
}

function renderLegend(): void {
  ui.legend.textContent = '';
  if (!structure) return;
  const { entries, notes } = legendModel();
  const ul = document.createElement('ul');
  for (const e of entries) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch' + (e.halo ? ' halo' : '');
    sw.style.background = e.colour;
    const text = document.createElement('span');
    text.textContent = e.text;
    li.append(sw, text);
    ul.append(li);
  }
  ui.legend.append(ul);
  for (const t of notes) {
    const p = document.createElement('div');
    p.className = 'note';
    p.textContent = t;
    ui.legend.append(p);
  }
}

/** The label inside Ea(…): the energy source's, else the landscape's method, else BVSE. */
function sourceLabel(): string {
  return source?.label ?? landscape?.method ?? 'BVSE';
}

/** Caption lines: "LiFePO4 — Ea(BVSE, 1D) 0.39 eV", the channel dimensionality when the scene gives it. */
function captionLines(): string[] {
  if (!structure) return [];
  const lines: string[] = [];
  let first = structure.formula;
  if (landscape) {
    const dims = [[1, landscape.ea1D], [2, landscape.ea2D], [3, landscape.ea3D]] as const;
    const reached = dims.find(([, v]) => v !== null && Number.isFinite(v));
    first += reached ? ` — ${eaText(sourceLabel(), reached[0], reached[1])}` : ` — Ea(${sourceLabel()}) not reached on this grid`;
    const d = landscape.dimensionality;
    if (d !== undefined) first += d ? ` · ${d}D conduction network` : ' · no percolating network';
  }
  lines.push(first);
  if (ensemble) lines.push(orderingCaption());
  if (landscape && viewer.getOptions().showIso) lines.push(`Isosurface ${fmtEnergy(levelRel)} eV above the minimum (${sourceLabel()} ${isoField === 'levelMap' ? 'level map' : 'energy'})`);
  return lines;
}

/** "ordering 2 of 6 (2×2×1), E_Ewald −1688.688 eV, Ea(BVSE, 1D) 0.67 eV". */
function orderingCaption(): string {
  if (!ensemble) return '';
  const o = ensemble.orderings[orderingIndex];
  const label = sourceLabel();
  return `ordering ${orderingIndex + 1} of ${ensemble.orderings.length} (${ensemble.supercell}), E_Ewald ${o.ewald_eV.toFixed(3)} eV, ${eaText(label, 1, o.Ea_1D_eV)}` +
    `${o.kind === 'random' ? ' · random ordering' : ''}${o.reported ? ' · reported' : ''}`;
}

function renderEnsemble(): void {
  ui.secEnsemble.hidden = !ensemble;
  if (!ensemble) return;
  const o = ensemble.orderings[orderingIndex];
  const n = ensemble.orderings.length;
  ui.orderingPrev.disabled = orderingIndex <= 0;
  ui.orderingNext.disabled = orderingIndex >= n - 1;
  ui.orderingCaption.textContent = orderingCaption();
  const reported = ensemble.orderings.findIndex((x) => x.reported);
  const lowest = Math.min(...ensemble.orderings.map((x) => x.ewald_eV));
  const notes = [`Lowest Ewald energy first (formal charges; this one ${(o.ewald_eV - lowest).toFixed(3)} eV above the lowest). Reported Ea: ${ensemble.rule} (ordering ${reported + 1}).`];
  if (!o.landscape) notes.push(`The host kept no grid for this ordering: the landscape and path shown are ordering ${reported + 1}'s.`);
  if (network && !o.reported) notes.push(`The interstitial network is of ordering ${reported + 1} and is hidden here.`);
  ui.orderingNote.textContent = notes.join(' ');
}

/** Show ordering i of the ensemble: its atoms, and its landscape and path when the host sent them. */
async function showOrdering(i: number): Promise<void> {
  if (!ensemble || !reportedScene) return;
  orderingIndex = Math.max(0, Math.min(ensemble.orderings.length - 1, i));
  const o = ensemble.orderings[orderingIndex];
  structure = o.structure;
  viewer.setStructure(structure);
  const want = o.landscape ? { landscape: o.landscape, path: o.path } : { landscape: reportedScene.landscape, path: reportedScene.path };
  if (want.landscape !== landscape) { await setLandscape(want.landscape); requestIso(); }
  if (want.path !== path) { path = want.path; viewer.setPath(path); renderPathInfo(); }
  viewer.setNetwork(o.reported ? network : null);
  renderStructureInfo();
  renderLegend();
  renderNetworkInfo();
  renderEnsemble();
  renderCaption();
  scheduleRendered();
}

function renderNetworkInfo(): void {
  ui.secNetwork.hidden = !network;
  if (!network) return;
  const open = network.nodes.filter((x) => x.radius >= network!.accessibleRadius).length;
  const openEdges = network.edges.filter((e) => e.bottleneck >= network!.accessibleRadius && network!.nodes[e.a].radius >= network!.accessibleRadius && network!.nodes[e.b].radius >= network!.accessibleRadius).length;
  ui.networkText.textContent = `Interstitial network (${network.caption}): ${network.nodes.length} interstices, ${network.edges.length} bottlenecks per cell; ` +
    `${open} interstices and ${openEdges} bottlenecks Li-accessible (r ≥ ${network.accessibleRadius.toFixed(3)} Å). ` +
    `Channels at the network's probe ${network.probeRadius.toFixed(3)} Å: ${network.dimensionality ? `${network.dimensionality}D` : 'none'}.`;
}

function renderCaption(): void {
  ui.caption.textContent = '';
  for (const t of captionLines()) {
    const d = document.createElement('div');
    d.textContent = t;
    ui.caption.append(d);
  }
}

/** The path's method text with the scene's dimensionality: no "along the 1D channel" for a 3D conductor. */
function pathMethod(p: ScenePath): string {
  const d = landscape?.dimensionality;
  if (d === undefined || d === null || d === 1) return p.method;
  return p.method.replace(/along the 1D channel/, d ? `through the ${d}D network` : 'between the deepest sites');
}

function renderPick(m: { atoms: { label: string; element: string; frac: number[] }[]; distances: number[]; angle: number | null }): void {
  ui.pick.textContent = '';
  if (!m.atoms.length) return;
  const name = (a: { label: string; element: string }, i: number) => `${i + 1}: ${a.label || a.element}`;
  const add = (t: string) => { const d = document.createElement('div'); d.textContent = t; ui.pick.append(d); };
  add(m.atoms.map(name).join('  ·  '));
  m.distances.forEach((x, i) => add(`d(${i + 1}–${i + 2}) ${x.toFixed(3)} Å`));
  if (m.angle !== null) add(`∠(1–2–3) ${m.angle.toFixed(1)}°`);
  if (m.atoms.length === 1) add('Click a second atom for the distance.');
}
viewer.onPick = (m) => renderPick(m);

function renderStructureInfo(): void {
  ui.empty.hidden = !!structure;
  ui.exportData.disabled = !structure;
  if (!structure) { ui.title.textContent = '—'; ui.sub.textContent = ''; return; }
  ui.title.textContent = `${structure.formula}`;
  const L = structure.lattice.map((v) => Math.hypot(...v));
  ui.sub.textContent = `${structure.name} · ${structure.atoms.length} sites · a ${L[0].toFixed(3)} Å, b ${L[1].toFixed(3)} Å, c ${L[2].toFixed(3)} Å`;
}

function activeRange(): { lo: number; hi: number } {
  return isoField === 'levelMap' && landscape?.levelMap ? { lo: landscapeRange.mapMin, hi: landscapeRange.mapMax } : { lo: landscapeRange.min, hi: landscapeRange.max };
}

function sliderMax(l: SceneLandscape): number {
  const range = activeRange();
  const span = range.hi - range.lo;
  const ref = l.ea3D ?? l.ea2D ?? l.ea1D ?? Math.min(span, 1);
  const want = Math.max(1, ref * 1.5 + 0.2);
  return Math.max(0.05, Math.min(span, Math.ceil(want * 10) / 10));
}

function renderLandscapeInfo(): void {
  ui.secLandscape.hidden = !landscape;
  ui.exportCube.disabled = !landscape;
  ui.exportGrd.disabled = !landscape;
  if (!landscape) return;
  const l = landscape;
  const L = structure?.lattice.map((v) => Math.hypot(...v));
  const spacing = L ? ` (${L.map((x, i) => (x / l.shape[i]).toFixed(2)).join(' × ')} Å)` : '';
  // The compute host's source already names the grid ("0.2 Å grid (52×30×23)"): do not repeat it.
  const grid = l.source?.includes(l.shape.join('×')) ? (L ? ` · spacing${spacing}` : '') : ` · grid ${l.shape.join(' × ')}${spacing}`;
  ui.landscapeSource.textContent = `${l.source ?? l.method}${grid} · energies in ${l.unit} above the minimum`;
  ui.landscapeNumbers.textContent = '';
  for (const [d, v] of [[1, l.ea1D], [2, l.ea2D], [3, l.ea3D]] as const) {
    const li = document.createElement('li');
    li.textContent = eaText(l.method, d, v);
    ui.landscapeNumbers.append(li);
  }
  ui.isoFieldRow.hidden = !l.levelMap;
  if (!l.levelMap) isoField = 'energy';
  ui.isoField.value = isoField;
  layoutSlider();
}

function layoutSlider(): void {
  if (!landscape) return;
  const max = sliderMax(landscape);
  ui.level.max = String(max);
  ui.levelNum.max = String(max);
  ui.ticks.textContent = '';
  ui.tickLabels.textContent = '';
  let last: { span: HTMLSpanElement; pct: number } | null = null;
  for (const [d, v] of [[1, landscape.ea1D], [2, landscape.ea2D], [3, landscape.ea3D]] as const) {
    if (v === null || !Number.isFinite(v) || v > max) continue;
    const o = document.createElement('option');
    o.value = String(v);
    o.label = `${d}D`;
    ui.ticks.append(o);
    const pct = v / max;
    // Barriers (nearly) at the same level share one label ("1D/2D/3D" for LLZO) instead of overprinting.
    if (last && pct - last.pct < 0.06) {
      last.span.textContent += `/${d}D`;
      last.span.title += `; ${eaText(landscape.method, d, v)}`;
      continue;
    }
    const span = document.createElement('span');
    span.style.left = `calc(${(pct * 100).toFixed(2)}% + ${((0.5 - pct) * 14).toFixed(1)}px)`;
    span.textContent = `${d}D`;
    span.title = eaText(landscape.method, d, v);
    ui.tickLabels.append(span);
    last = { span, pct };
  }
  ui.level.value = String(levelRel);
  ui.levelNum.value = levelRel.toFixed(2);
  updateLevelText();
}

function updateLevelText(): void {
  if (!landscape) return;
  const l = landscape;
  const dims = [l.ea1D, l.ea2D, l.ea3D].filter((x) => x !== null && Number.isFinite(x) && (x as number) <= levelRel).length;
  const what = isoField === 'levelMap' ? 'connected level map' : 'energy';
  let t = `Level ${fmtEnergy(levelRel)} eV above the minimum (${l.method} ${what}). `;
  t += isoField === 'energy' ? (dims ? `The region below it percolates in ${dims}D.` : 'The region below it does not percolate.') : '';
  if (!isoDone) t += ' Computing surface…';
  else if (isoMs !== null) t += ` Surface: ${viewer.isoStats().vertexCount.toLocaleString()} vertices.`;
  ui.levelText.textContent = t;
}

function requestIso(): void {
  if (!landscape || !structure || !extractor) { viewer.setIsoMesh(null); isoDone = true; return; }
  const { lo } = activeRange();
  isoDone = false;
  updateLevelText();
  extractor.request(isoField, lo + levelRel);
}

function renderPathInfo(): void {
  ui.secPath.hidden = !path;
  if (!path) { profileDrawn = false; return; }
  const total = path.distances[path.distances.length - 1] ?? 0;
  ui.barrier.textContent = `Barrier (${pathMethod(path)}) ${fmtEnergy(path.barrier)} eV over ${fmtEnergy(total)} Å, ${path.points.length} points`;
  profileDrawn = drawProfile(ui.profile, { ...path, method: pathMethod(path) }, theme, landscape ? sourceLabel() : null).drawn;
}

// ------------------------------------------------------------------ messages from the extension

async function setLandscape(l: SceneLandscape | null): Promise<void> {
  const client = await clientReady;
  landscape = l;
  gridsVersion++;
  extractor?.invalidate();
  viewer.setIsoMesh(null);
  if (!l) { client.deleteGrid('energy'); client.deleteGrid('levelMap'); isoDone = true; isoMs = null; renderLandscapeInfo(); return; }
  const stats = (a: Float32Array) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < lo) lo = x; if (x > hi) hi = x; }
    return { lo: Number.isFinite(lo) ? lo : 0, hi: Number.isFinite(hi) ? hi : 1 };
  };
  const e = stats(l.data);
  const m = l.levelMap ? stats(l.levelMap) : { lo: 0, hi: 1 };
  landscapeRange = { min: e.lo, max: e.hi, mapMin: m.lo, mapMax: m.hi };
  const saved = persisted?.level;
  // The machine-learned PES is read as the seed's Fig. 2: the connected level map at 0.5 eV (the Ξ threshold).
  const mlip = source?.method === 'mlip' && !!l.levelMap;
  if (mlip && !(saved && saved.key === landscapeKey(l))) isoField = 'levelMap';
  levelRel = saved && saved.key === landscapeKey(l) ? saved.rel : mlip ? MLIP_LEVEL_EV : defaultLevel(l);
  await sendGrids();
  renderLandscapeInfo();
}

/**
 * 0.1 eV above Ea(1D). The barriers come from percolation with diagonal grid steps, while the
 * marching-cubes surface joins two pockets only through a cell face; on the 0.2 Å grids of the
 * examples the surface connects 0.01–0.06 eV above the barrier (LLZO: Ea 0.49 eV, surface joined
 * from 0.55 eV), so at +0.05 eV the picture could show isolated pockets while the text says
 * "percolates in 3D".
 */
/** Level of the MLIP landscape's first surface: the 0.5 eV level map of SCIENCE.md §6 (FV and Ξ threshold). */
const MLIP_LEVEL_EV = 0.5;

function defaultLevel(l: SceneLandscape): number {
  if (l.ea1D !== null && Number.isFinite(l.ea1D)) return Math.round((l.ea1D + 0.1) * 100) / 100;
  const span = landscapeRange.max - landscapeRange.min;
  return Math.round(Math.min(1, span * 0.25) * 100) / 100;
}

async function sendGrids(): Promise<void> {
  if (!landscape || !structure) return;
  const client = await clientReady;
  const version = gridsVersion;
  const sends = [client.setGrid('energy', landscape.data, landscape.shape, structure.lattice)];
  if (landscape.levelMap) sends.push(client.setGrid('levelMap', landscape.levelMap, landscape.shape, structure.lattice));
  await Promise.all(sends);
  if (version !== gridsVersion) return;
}

endpoint.handle('setScene', async (u: SceneUpdate) => {
  let needIso = false;
  if (u.source !== undefined) source = u.source;
  if (u.structure !== undefined) {
    const latticeChanged = JSON.stringify(structure?.lattice) !== JSON.stringify(u.structure?.lattice);
    structure = u.structure;
    viewer.setStructure(structure);
    renderStructureInfo();
    renderLegend();
    if (latticeChanged && landscape && u.landscape === undefined) { extractor?.invalidate(); await sendGrids(); needIso = true; }
  }
  if (u.landscape !== undefined) {
    if (u.landscape && structure && u.landscape.data.length !== u.landscape.shape[0] * u.landscape.shape[1] * u.landscape.shape[2]) {
      throw new Error(`landscape grid has ${u.landscape.data.length} values, shape ${u.landscape.shape.join('×')} needs ${u.landscape.shape[0] * u.landscape.shape[1] * u.landscape.shape[2]}`);
    }
    await setLandscape(u.landscape);
    needIso = true;
  }
  if (u.path !== undefined) {
    path = u.path;
    viewer.setPath(path);
    renderPathInfo();
  }
  if (u.ensemble !== undefined) {
    ensemble = u.ensemble && u.ensemble.orderings.length ? u.ensemble : null;
    orderingIndex = ensemble ? Math.max(0, ensemble.orderings.findIndex((o) => o.reported)) : 0;
  }
  if (u.network !== undefined) network = u.network;
  if (u.network !== undefined || u.ensemble !== undefined) {
    // The network is of the reported ordering: drawn only while that one is shown.
    viewer.setNetwork(ensemble && !ensemble.orderings[orderingIndex]?.reported ? null : network);
    renderNetworkInfo();
    renderLegend();
  }
  // What the host reported (the scene's own structure, landscape and path); stepping through the orderings returns to it.
  if (!ensemble) reportedScene = null;
  else if (u.structure !== undefined || u.ensemble !== undefined) reportedScene = { structure, landscape, path };
  renderEnsemble();
  if (u.options) needIso = applyOptions(u.options) || needIso;
  if (u.landscape !== undefined && path) renderPathInfo(); // the wording depends on the landscape's dimensionality
  if (needIso) requestIso();
  renderCaption();
  persist();
  scheduleRendered();
  return counts();
});

endpoint.handle('setStatus', (s) => { setStatus(s); });

endpoint.onNotification('setOptions', (o) => {
  if (applyOptions(o)) requestIso();
  persist();
  scheduleRendered();
});

/** Apply options from the extension to the view and the controls; true when the isosurface needs recomputing. */
function applyOptions(o: SceneViewOptions): boolean {
  const v: Partial<ViewOptions> = {};
  if (o.repeats) v.repeats = o.repeats.map((r) => Math.min(3, Math.max(1, Math.round(r)))) as [number, number, number];
  if (o.showBonds !== undefined) v.showBonds = o.showBonds;
  if (o.showMobile !== undefined) v.showMobile = o.showMobile;
  if (o.showIsosurface !== undefined) v.showIso = o.showIsosurface;
  if (o.showPath !== undefined) v.showPath = o.showPath;
  if (o.orthographic !== undefined) v.orthographic = o.orthographic;
  if (o.showPolyhedra !== undefined) v.showPolyhedra = o.showPolyhedra;
  if (o.colourScheme === 'jmol' || o.colourScheme === 'vesta') v.colourScheme = o.colourScheme;
  if (o.showNetwork !== undefined) v.showNetwork = o.showNetwork;
  viewer.setOptions(v);
  renderLegend();
  renderCaption();
  syncControls();
  updateLevelText();
  if (o.level !== undefined && Number.isFinite(o.level)) {
    levelRel = o.level;
    layoutSlider();
    return true;
  }
  return false;
}

function syncControls(): void {
  const o = viewer.getOptions();
  o.repeats.forEach((r, i) => { ui.rep[i].value = String(r); });
  ui.showMobile.checked = o.showMobile;
  ui.showBonds.checked = o.showBonds;
  ui.showIso.checked = o.showIso;
  ui.showPath.checked = o.showPath;
  ui.showPolyhedra.checked = o.showPolyhedra;
  ui.showNetwork.checked = o.showNetwork;
  ui.ortho.checked = o.orthographic;
  ui.colourScheme.value = o.colourScheme;
  ui.atomScale.value = String(o.atomScale);
  ui.opacity.value = String(o.isoOpacity);
  ui.colour.value = o.isoColour;
}

// ------------------------------------------------------------------ controls

function bindControls(): void {
  const changed = () => { persist(); scheduleRendered(); };
  ui.rep.forEach((sel, i) => sel.addEventListener('change', () => {
    const r = viewer.getOptions().repeats;
    r[i] = Math.min(3, Math.max(1, parseInt(sel.value, 10) || 1));
    viewer.setOptions({ repeats: r });
    updateLevelText();
    changed();
  }));
  ui.showMobile.addEventListener('change', () => { viewer.setOptions({ showMobile: ui.showMobile.checked }); changed(); });
  ui.showBonds.addEventListener('change', () => { viewer.setOptions({ showBonds: ui.showBonds.checked }); changed(); });
  ui.showPolyhedra.addEventListener('change', () => { viewer.setOptions({ showPolyhedra: ui.showPolyhedra.checked }); renderLegend(); changed(); });
  ui.ortho.addEventListener('change', () => { viewer.setOptions({ orthographic: ui.ortho.checked }); changed(); });
  ui.colourScheme.addEventListener('change', () => {
    viewer.setOptions({ colourScheme: ui.colourScheme.value === 'vesta' ? 'vesta' : 'jmol' });
    renderLegend();
    changed();
  });
  ui.atomScale.addEventListener('input', () => { viewer.setOptions({ atomScale: parseFloat(ui.atomScale.value) }); changed(); });
  ui.viewButtons.reset.addEventListener('click', () => viewer.viewAlong('reset'));
  ui.viewButtons.a.addEventListener('click', () => viewer.viewAlong('a'));
  ui.viewButtons.b.addEventListener('click', () => viewer.viewAlong('b'));
  ui.viewButtons.c.addEventListener('click', () => viewer.viewAlong('c'));
  ui.showIso.addEventListener('change', () => { viewer.setOptions({ showIso: ui.showIso.checked }); updateLevelText(); renderCaption(); changed(); });
  ui.isoField.addEventListener('change', () => {
    isoField = ui.isoField.value === 'levelMap' && landscape?.levelMap ? 'levelMap' : 'energy';
    layoutSlider();
    requestIso();
    changed();
  });
  const setLevel = (x: number) => {
    if (!Number.isFinite(x)) return;
    levelRel = Math.max(0, x);
    renderCaption();
    ui.level.value = String(levelRel);
    ui.levelNum.value = levelRel.toFixed(2);
    requestIso();
    changed();
  };
  ui.level.addEventListener('input', () => setLevel(parseFloat(ui.level.value)));
  ui.levelNum.addEventListener('change', () => setLevel(parseFloat(ui.levelNum.value)));
  ui.opacity.addEventListener('input', () => { viewer.setOptions({ isoOpacity: parseFloat(ui.opacity.value) }); changed(); });
  ui.colour.addEventListener('input', () => { viewer.setOptions({ isoColour: ui.colour.value }); changed(); });
  ui.showPath.addEventListener('change', () => { viewer.setOptions({ showPath: ui.showPath.checked }); changed(); });
  ui.saveImage.addEventListener('click', () => void saveImage());
  ui.exportCube.addEventListener('click', () => void exportGrid('cube'));
  ui.exportGrd.addEventListener('click', () => void exportGrid('grd'));
  ui.showNetwork.addEventListener('change', () => { viewer.setOptions({ showNetwork: ui.showNetwork.checked }); renderLegend(); changed(); });
  ui.orderingPrev.addEventListener('click', () => void showOrdering(orderingIndex - 1));
  ui.orderingNext.addEventListener('click', () => void showOrdering(orderingIndex + 1));
  ui.exportData.addEventListener('click', () => void exportData(ui.exportKind.value as SceneExportKind));
}

/** The figure at `scale` × the view's CSS pixels: 3D view, legend, caption and the path's energy colour bar. */
function figure(scale: number): HTMLCanvasElement {
  const { canvas: view, scale: used } = viewer.renderHighRes(scale);
  const { entries, notes } = legendModel();
  const range = viewer.pathEnergyRange();
  const { canvas, layout } = composeFigure({
    view, scale: used, legend: entries, notes, caption: captionLines(), theme,
    colourBar: range ? { ...range, label: `Energy along the path (eV, ${landscape ? sourceLabel() : path?.method ?? ''})` } : null,
    font: getComputedStyle(document.body).fontFamily || 'sans-serif',
  });
  lastFigure = { ...layout, scale: used };
  return canvas;
}

async function saveImage(): Promise<void> {
  try {
    const scale = Math.min(4, Math.max(1, parseInt(ui.imageScale.value, 10) || 2));
    const url = figure(scale).toDataURL('image/png');
    const pngBase64 = url.slice(url.indexOf(',') + 1);
    const name = (structure?.name || structure?.formula || 'ionpath').replace(/[^\w.-]+/g, '_');
    const r = await endpoint.request('saveImage', { pngBase64, suggestedName: `${name}${scale > 1 ? `@${scale}x` : ''}.png`, scale: lastFigure?.scale ?? scale });
    if (r?.path) setStatus({ state: 'ready', message: `Saved ${r.path}` });
  } catch (e) {
    reportError(`Could not save the image: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The export menu: the structure shown (the ordering, for an ensemble), its NEB chain, the profile, the report. */
async function exportData(kind: SceneExportKind): Promise<void> {
  try {
    const images = Math.round(parseFloat(ui.nebImages.value));
    if (kind === 'neb' && !(images >= 2 && images <= 99)) { reportError(`NEB images ${ui.nebImages.value} must be a whole number from 2 to 99 (both ends included)`); return; }
    const r = await endpoint.request('exportData', { kind, ...(ensemble ? { ordering: orderingIndex } : {}), ...(kind === 'neb' ? { images } : {}) });
    if (r?.path) setStatus({ state: 'ready', message: `Exported ${r.path}` });
  } catch (e) {
    reportError(`Could not export: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function exportGrid(format: 'cube' | 'grd'): Promise<void> {
  try {
    const r = await endpoint.request('exportGrid', { format });
    if (r?.path) setStatus({ state: 'ready', message: `Exported ${r.path}` });
  } catch (e) {
    reportError(`Could not export the grid: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ------------------------------------------------------------------ theme

onThemeChange(() => {
  theme = readTheme();
  viewer.setTheme(theme);
  if (path) renderPathInfo();
});
new ResizeObserver(() => { if (path) renderPathInfo(); }).observe(ui.profile);

// ------------------------------------------------------------------ test hooks

export interface TestHooks {
  readonly atomCount: number;
  readonly mobileAtomCount: number;
  readonly isosurfaceVertexCount: number;
  readonly isosurfaceBounds: { min: number[]; max: number[] } | null;
  readonly isosurfaceFracBounds: { min: number[]; max: number[] } | null;
  readonly isosurfaceDone: boolean;
  readonly pathPointCount: number;
  readonly pathImageCount: number;
  readonly profileDrawn: boolean;
  readonly consoleErrors: string[];
  readonly usesWorker: boolean;
  readonly level: number;
  readonly webgl: { version: string; renderer: string };
  /** True when WebGL runs on a software rasteriser (rendered without MSAA). */
  readonly softwareGL: boolean;
  /** Fraction of canvas pixels that differ from the background colour. */
  coverage(): number;
  /** Average ms per frame over `n` frames while orbiting. */
  benchmarkFrames(n: number): number;
  /** Run the pure marching cubes on the main thread: vertex count and ms. */
  marchingCubes(data: Float32Array, shape: [number, number, number], level: number, lattice: [[number, number, number], [number, number, number], [number, number, number]]): { vertices: number; triangles: number; ms: number };
  readonly polyhedronCount: number;
  readonly networkNodeCount: number;
  readonly networkEdgeCount: number;
  readonly networkAccessibleEdgeCount: number;
  readonly orderingIndex: number | null;
  readonly orderingCaption: string;
  readonly isoField: 'energy' | 'levelMap';
  showOrdering(i: number): Promise<void>;
  /** The drawn structure's sites as "element x,y,z" (to compare with an ordering's). */
  readonly shownAtoms: string[];
  readonly orthographic: boolean;
  readonly pick: { atoms: { site: number; frac: number[]; element: string; label: string }[]; distances: number[]; angle: number | null };
  /** Drawn atom images in front of the camera, with client coordinates (for clicking them). */
  atomScreenPositions(): { index: number; x: number; y: number; depth: number; site: number; frac: number[]; element: string }[];
  readonly lastFigure: (FigureLayout & { scale: number }) | null;
  readonly legendText: string[];
  readonly captionText: string;
  readonly colourAt: (t: number) => string;
  /** Round-trip one extraction of the current landscape through the worker: ms (wall) and the worker's own ms. */
  extractRoundTrip(level: number): Promise<{ wallMs: number; workerMs: number; vertices: number; usesWorker: boolean }>;
}

const hooks: TestHooks = {
  get atomCount() { return viewer.atomCount; },
  get mobileAtomCount() { return viewer.mobileCount; },
  get isosurfaceVertexCount() { return viewer.isoStats().vertexCount; },
  get isosurfaceBounds() { return viewer.isoStats().bounds; },
  get isosurfaceFracBounds() { return viewer.isoStats().fracBounds; },
  get isosurfaceDone() { return isoDone; },
  get pathPointCount() { return path ? path.points.length : 0; },
  get pathImageCount() { return viewer.pathImageCount; },
  get profileDrawn() { return profileDrawn; },
  get consoleErrors() { return consoleErrors; },
  get usesWorker() { return !!isoClient?.usesWorker; },
  get level() { return levelRel; },
  get polyhedronCount() { return viewer.polyhedronCount; },
  get networkNodeCount() { return viewer.networkNodeCount; },
  get networkEdgeCount() { return viewer.networkEdgeCount; },
  get networkAccessibleEdgeCount() { return viewer.networkAccessibleEdgeCount; },
  get orderingIndex() { return ensemble ? orderingIndex : null; },
  get orderingCaption() { return ensemble ? orderingCaption() : ''; },
  get isoField() { return isoField; },
  showOrdering: (i: number) => showOrdering(i),
  get shownAtoms() { return structure ? structure.atoms.map((a) => `${a.element} ${a.frac.map((x) => x.toFixed(4)).join(',')}`) : []; },
  get orthographic() { return viewer.camera === viewer.orthoCamera; },
  get pick() { const m = viewer.measurement(); return { atoms: m.atoms.map((a) => ({ site: a.site, frac: a.frac, element: a.element, label: a.label })), distances: m.distances, angle: m.angle }; },
  atomScreenPositions: () => viewer.atomScreenPositions(),
  get lastFigure() { return lastFigure; },
  get legendText() { return legendModel().entries.map((e) => e.text); },
  get captionText() { return ui.caption.textContent ?? ''; },
  colourAt: (t: number) => cssColourAt(t),
  get softwareGL() { return viewer.softwareGL; },
  get webgl() {
    const gl = viewer.renderer.getContext();
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return { version: String(gl.getParameter(gl.VERSION)), renderer: String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) };
  },
  coverage() {
    viewer.renderNow();
    const src = viewer.renderer.domElement;
    const c = document.createElement('canvas');
    c.width = Math.min(400, src.width);
    c.height = Math.round((c.width / src.width) * src.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(src, 0, 0, c.width, c.height);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [parseInt(theme.background.slice(1, 3), 16), parseInt(theme.background.slice(3, 5), 16), parseInt(theme.background.slice(5, 7), 16)];
    let diff = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 24) diff++;
    return diff / (d.length / 4);
  },
  benchmarkFrames: (n) => viewer.benchmarkFrames(n),
  marchingCubes(data, shape, level, lattice) {
    const t0 = performance.now();
    const m = marchingCubes(data, shape, level, lattice);
    return { vertices: m.positions.length / 3, triangles: m.indices.length / 3, ms: performance.now() - t0 };
  },
  async extractRoundTrip(level) {
    const client = await clientReady;
    const t0 = performance.now();
    const r = await client.extract('energy', landscapeRange.min + level);
    return { wallMs: performance.now() - t0, workerMs: r.ms, vertices: r.positions.length / 3, usesWorker: client.usesWorker };
  },
};
win.__ionpathTest = hooks;

// ------------------------------------------------------------------ start

bindControls();
syncControls();
renderStructureInfo();
void customElements.whenDefined('vscode-single-select').then(syncControls);
void endpoint.request('ready', { protocolVersion: SCENE_PROTOCOL_VERSION }).catch((e) => console.warn('ionpath: ready was not acknowledged', e));

// Record the document URI at once, so a reload can restore this panel even before any change.
persist();
