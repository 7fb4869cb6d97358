#!/usr/bin/env node
// Webview tests in headless Chromium (playwright-core, WebGL via SwiftShader).
// Usage: node test/webview/run.mjs [--no-build] [--serve]   (--serve: keep the page up for a manual look)
// Screenshots go to .test-output/webview/*.png. Prints "N passed, N failed"; exits non-zero on failure.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebview, launchBrowser, root, startServer, themeScript, toWire } from './server.mjs';
import { expectedAtomCount, makeScene } from './scenes.mjs';

const outDir = join(root, '.test-output', 'webview');
mkdirSync(outDir, { recursive: true });
const args = new Set(process.argv.slice(2));

if (!args.has('--no-build')) await buildWebview({ quiet: false });
const server = await startServer();
if (args.has('--serve')) {
  console.log(`serving ${server.url} (Ctrl-C to stop); in the console: __harness.setScene(...)`);
  await new Promise(() => {});
}

let passed = 0, failed = 0;
const failures = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`  ✘ ${name}\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(actual, expected, msg) { if (actual !== expected) throw new Error(`${msg}: expected ${expected}, got ${actual}`); }

const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const pageErrors = [];
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));

const scene = makeScene();
const hooks = (expr) => page.evaluate(`(() => { const t = window.__ionpathTest; return ${expr}; })()`);
const waitIso = () => page.waitForFunction(() => {
  const t = window.__ionpathTest;
  return t && t.isosurfaceDone;
}, null, { timeout: 30000 });
const shot = async (name) => {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(outDir, name) });
};

console.log('webview tests');
try {
  await page.goto(server.url + '?theme=dark');
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0 && window.__ionpathTest, null, { timeout: 20000 });

  await test('webview loads under the strict CSP and says ready once', async () => {
    eq(await page.evaluate(() => window.__harness.state.readyCount), 1, 'ready count');
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
    assert(/script-src 'nonce-/.test(csp) && /worker-src blob:/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `CSP: ${csp}`);
  });

  await test('WebGL renders through SwiftShader', async () => {
    const gl = await hooks('t.webgl');
    console.log(`      WebGL: ${gl.version} / ${gl.renderer}`);
    assert(/WebGL/.test(gl.version), 'WebGL context');
  });

  await test('setScene (1×1×1): atoms on faces/edges/corners, isosurface, path, profile', async () => {
    const r = await page.evaluate((s) => window.__harness.setScene(s), toWire({ ...scene, options: { repeats: [1, 1, 1] } }));
    const expected = expectedAtomCount(scene.structure, [1, 1, 1]);
    eq(expected, 25, 'independent count of the synthetic cell (8 corner + 12 edge + 1 + 2 + 2)');
    eq(r.atomCount, expected, 'setScene result atomCount');
    eq(r.pathPointCount, scene.path.points.length, 'setScene result pathPointCount');
    await waitIso();
    eq(await hooks('t.atomCount'), expected, 'hook atomCount');
    eq(await hooks('t.mobileAtomCount'), 3, 'mobile images (body centre + 2 face images)');
    const verts = await hooks('t.isosurfaceVertexCount');
    assert(verts > 100, `isosurface has vertices (${verts})`);
    eq(await hooks('t.usesWorker'), true, 'isosurface computed in the worker');
    const fb = await hooks('t.isosurfaceFracBounds');
    for (let a = 0; a < 3; a++) assert(fb.min[a] >= -1e-4 && fb.max[a] <= 1 + 1e-4, `frac bounds inside the cell on axis ${a}: ${fb.min[a]}..${fb.max[a]}`);
    assert(fb.min[0] < 0.02 && fb.max[0] > 0.98, 'channel reaches both a faces (periodic)');
    assert(fb.min[1] > 0.2 && fb.max[1] < 0.8, 'channel is narrow across b at this level');
    const b = await hooks('t.isosurfaceBounds');
    for (let a = 0; a < 3; a++) assert(b.min[a] >= -1e-3 && b.max[a] <= 4.2 + 1e-3, `Cartesian bounds inside the cell on axis ${a}`);
    eq(await hooks('t.pathPointCount'), 41, 'path points');
    eq(await hooks('t.profileDrawn'), true, 'profile drawn');
    await page.locator('#sec-path').scrollIntoViewIfNeeded();
    await page.locator('#sec-path').screenshot({ path: join(outDir, 'profile-dark.png') });
    await page.evaluate(() => document.getElementById('panel').scrollTo(0, 0));
    const level = await hooks('t.level');
    assert(Math.abs(level - 0.47) < 1e-6, `default level just above Ea1D (0.42): ${level}`);
    const cov = await hooks('t.coverage()');
    assert(cov > 0.05, `canvas shows something (coverage ${cov.toFixed(3)})`);
    const rendered = await page.evaluate(() => window.__harness.state.rendered.at(-1));
    assert(rendered && rendered.isosurfaceDone && rendered.isosurfaceVertexCount === verts && rendered.atomCount === expected, `rendered notification ${JSON.stringify(rendered)}`);
    await shot('scene-1x1x1-dark.png');
  });

  await test('numbers carry method and unit', async () => {
    const text = await page.evaluate(() => document.getElementById('panel').innerText);
    for (const s of ['Ea(synthetic, 1D) 0.42 eV', 'Ea(synthetic, 2D) 1.25 eV', 'Ea(synthetic, 3D) 1.90 eV', 'Barrier (synthetic path) 0.42 eV', 'Level 0.47 eV above the minimum (synthetic energy)']) {
      assert(text.includes(s), `panel shows "${s}"`);
    }
    const ticks = await page.evaluate(() => [...document.querySelectorAll('#iso-tick-labels span')].map((s) => s.textContent));
    eq(ticks.join(','), '1D,2D,3D', 'slider ticks for Ea1D/2D/3D');
    const aria = await page.evaluate(() => document.getElementById('profile').getAttribute('aria-label'));
    assert(/barrier 0\.42 eV \(synthetic path\)/.test(aria), `profile aria-label: ${aria}`);
  });

  await test('supercell 2×2×2: atom images, replicated isosurface inside the supercell, path images', async () => {
    const base = await hooks('t.isosurfaceVertexCount');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [2, 2, 2] }));
    await page.waitForFunction(() => window.__ionpathTest.atomCount !== 25);
    const expected = expectedAtomCount(scene.structure, [2, 2, 2]);
    eq(expected, 113, 'independent count for 2×2×2');
    eq(await hooks('t.atomCount'), expected, 'atomCount 2×2×2');
    eq(await hooks('t.isosurfaceVertexCount'), base * 8, 'isosurface replicated 8×');
    const fb = await hooks('t.isosurfaceFracBounds');
    for (let a = 0; a < 3; a++) assert(fb.min[a] >= -1e-4 && fb.max[a] <= 2 + 1e-4, `inside the supercell on axis ${a}`);
    assert(fb.max[0] > 1.98, 'reaches the far a face of the supercell');
    eq(await hooks('t.pathImageCount'), 8, 'path images (the path spans one cell along a: 2 × 2 × 2 images)');
    const sel = await page.evaluate(() => ['a', 'b', 'c'].map((x) => document.getElementById('rep-' + x).value).join(''));
    eq(sel, '222', 'repeat selects follow setOptions');
    await shot('scene-2x2x2-dark.png');
  });

  await test('controls: repeats select, mobile toggle, bonds, level number input', async () => {
    // Repeats back to 1 via the UI select (keyboard): focus, open, choose.
    await page.evaluate(() => { const s = document.getElementById('rep-a'); s.value = '1'; s.dispatchEvent(new Event('change')); });
    await page.evaluate(() => { for (const x of ['b', 'c']) { const s = document.getElementById('rep-' + x); s.value = '1'; s.dispatchEvent(new Event('change')); } });
    eq(await hooks('t.atomCount'), 25, 'back to 1×1×1 via the selects');
    await page.click('#show-mobile');
    eq(await hooks('t.atomCount'), 22, 'mobile ions hidden (25 − 3)');
    await page.click('#show-mobile');
    eq(await hooks('t.atomCount'), 25, 'mobile ions shown again');
    await page.click('#show-bonds');
    await shot('scene-bonds-dark.png');
    await page.click('#show-bonds');
    const before = await hooks('t.isosurfaceVertexCount');
    await page.fill('#iso-level-num', '1.3');
    await page.press('#iso-level-num', 'Enter');
    await page.waitForFunction(() => Math.abs(window.__ionpathTest.level - 1.3) < 1e-9 && window.__ionpathTest.isosurfaceDone);
    const after = await hooks('t.isosurfaceVertexCount');
    assert(after !== before && after > 0, `level 1.3 eV changes the surface (${before} → ${after})`);
    const fb = await hooks('t.isosurfaceFracBounds');
    assert(fb.min[1] < 0.02 && fb.max[1] > 0.98, 'above Ea2D (1.25 eV) the region spans b too');
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('percolates in 2D'), `level text: ${text}`);
    await shot('scene-level-1.3-dark.png');
    // Keyboard on the range input.
    await page.focus('#iso-level');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => Math.abs(window.__ionpathTest.level - 1.29) < 1e-6 && window.__ionpathTest.isosurfaceDone);
  });

  await test('level-map surface (connected region) can be chosen', async () => {
    eq(await page.evaluate(() => document.getElementById('iso-field-row').hidden), false, 'field selector shown when a level map is given');
    await page.evaluate(() => window.__harness.setOptions({ level: 0.47 }));
    await waitIso();
    const energyVerts = await hooks('t.isosurfaceVertexCount');
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'levelMap'; s.dispatchEvent(new Event('change')); });
    await page.waitForFunction(() => window.__ionpathTest.isosurfaceDone);
    await page.waitForTimeout(50);
    await waitIso();
    const mapVerts = await hooks('t.isosurfaceVertexCount');
    assert(mapVerts > 0, `level-map surface (${mapVerts} vertices, energy surface ${energyVerts})`);
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('connected level map'), text);
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'energy'; s.dispatchEvent(new Event('change')); });
    await waitIso();
  });

  await test('empty isosurface above the maximum and below the minimum', async () => {
    await page.evaluate(() => window.__harness.setOptions({ level: 10 }));
    await page.waitForFunction(() => window.__ionpathTest.level === 10 && window.__ionpathTest.isosurfaceDone);
    eq(await hooks('t.isosurfaceVertexCount'), 0, 'above max');
    await page.evaluate(() => window.__harness.setOptions({ level: 0 }));
    await page.waitForFunction(() => window.__ionpathTest.level === 0 && window.__ionpathTest.isosurfaceDone);
    eq(await hooks('t.isosurfaceVertexCount'), 0, 'at the minimum');
    await page.evaluate(() => window.__harness.setOptions({ level: 0.47 }));
    await waitIso();
  });

  await test('save image and export send messages to the extension', async () => {
    await page.click('#save-image');
    await page.waitForFunction(() => window.__harness.state.saved.length === 1);
    const png = await page.evaluate(() => window.__harness.state.saved[0].pngBase64);
    assert(png.startsWith('iVBORw0KGgo') && png.length > 5000, `PNG base64 (${png.length} chars)`);
    await page.click('#export-cube');
    await page.click('#export-grd');
    await page.waitForFunction(() => window.__harness.state.exports.length === 2);
    eq((await page.evaluate(() => window.__harness.state.exports.map((e) => e.format))).join(','), 'cube,grd', 'export formats');
    await page.waitForFunction(() => /Exported \/tmp\/grid\.grd/.test(document.getElementById('status-text').textContent), null, { timeout: 5000 });
  });

  await test('setStatus shows computing and error states', async () => {
    await page.evaluate(() => window.__harness.setStatus({ state: 'computing', message: 'Computing BVSE grid…' }));
    eq(await page.evaluate(() => !document.getElementById('status').hidden && !!document.querySelector('#status vscode-progress-ring')), true, 'computing shows a progress ring');
    await page.evaluate(() => window.__harness.setStatus({ state: 'error', message: 'Something failed' }));
    eq(await page.evaluate(() => document.getElementById('status').classList.contains('error')), true, 'error style');
    await page.evaluate(() => window.__harness.setStatus({ state: 'ready', message: '' }));
    eq(await page.evaluate(() => document.getElementById('status').hidden), true, 'ready with no message hides the status');
  });

  await test('keyboard: every control has a name and is reachable with Tab', async () => {
    const unnamed = await page.evaluate(() => {
      const bad = [];
      for (const el of document.querySelectorAll('#panel input, #panel vscode-single-select, #panel vscode-checkbox, #panel vscode-button, canvas')) {
        const id = el.id;
        const name = el.getAttribute('aria-label') || (id && document.querySelector(`label[for="${id}"]`)?.textContent) || el.textContent?.trim();
        if (!name) bad.push(el.tagName + '#' + id);
      }
      return bad;
    });
    eq(unnamed.length, 0, `controls without an accessible name: ${unnamed.join(', ')}`);
    await page.evaluate(() => document.activeElement?.blur());
    const seen = new Set();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => (document.activeElement && (document.activeElement.id || document.activeElement.tagName)) || '');
      seen.add(id);
    }
    for (const id of ['CANVAS', 'rep-a', 'show-mobile', 'show-bonds', 'iso-level', 'iso-level-num', 'iso-opacity', 'show-path', 'save-image', 'export-cube']) {
      assert(seen.has(id), `Tab reaches ${id} (reached: ${[...seen].join(' ')})`);
    }
    // Arrow keys on the canvas rotate the view.
    await page.focus('canvas');
    const before = await page.screenshot({ clip: { x: 0, y: 0, width: 900, height: 800 } });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 900, height: 800 } });
    assert(!before.equals(after), 'arrow keys change the view');
    await page.keyboard.press('0');
  });

  await test('theme switch (light, high contrast) re-colours the view', async () => {
    await page.evaluate(themeScript('light'));
    await page.waitForTimeout(150);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    eq(bg, 'rgb(255, 255, 255)', 'light body background');
    const cov = await hooks('t.coverage()');
    assert(cov > 0.05 && cov < 0.9, `light canvas background follows the theme (coverage vs white ${cov.toFixed(3)})`);
    await shot('scene-1x1x1-light.png');
    await page.evaluate(themeScript('high-contrast'));
    await page.waitForTimeout(150);
    await shot('scene-1x1x1-high-contrast.png');
    await page.evaluate(themeScript('dark'));
    await page.waitForTimeout(150);
  });

  await test('clearing landscape and path', async () => {
    await page.evaluate(() => window.__harness.setScene({ landscape: null, path: null }));
    await page.waitForFunction(() => window.__ionpathTest.isosurfaceVertexCount === 0 && window.__ionpathTest.pathPointCount === 0);
    eq(await page.evaluate(() => document.getElementById('sec-landscape').hidden && document.getElementById('sec-path').hidden), true, 'sections hidden');
    eq(await page.evaluate(() => document.getElementById('export-cube').disabled), true, 'export disabled without a grid');
  });

  await test('100³ grid: extraction in the worker keeps the main thread responsive', async () => {
    const res = await page.evaluate(async () => {
      const h = window.__harness;
      const n = 100;
      const data = h.channelGrid(n);
      const ticks = [];
      const timer = setInterval(() => ticks.push(performance.now()), 10);
      const t0 = performance.now();
      await h.setScene({ landscape: { shape: [n, n, n], data, method: 'synthetic', unit: 'eV', ea1D: 0.42, ea2D: 1.25, ea3D: 1.9 } });
      const t1 = performance.now();
      while (!window.__ionpathTest.isosurfaceDone) await new Promise((r) => setTimeout(r, 5));
      const t2 = performance.now();
      clearInterval(timer);
      const during = ticks.filter((t) => t > t1 && t < t2);
      let maxGap = 0;
      for (let i = 1; i < ticks.length; i++) maxGap = Math.max(maxGap, ticks[i] - ticks[i - 1]);
      return { sent: t1 - t0, total: t2 - t0, extraction: t2 - t1, ticksDuring: during.length, maxGap, verts: window.__ionpathTest.isosurfaceVertexCount };
    });
    console.log(`      setScene ${res.sent.toFixed(0)} ms, surface after ${res.total.toFixed(0)} ms; during the ${res.extraction.toFixed(0)} ms extraction the main thread ran ${res.ticksDuring} timer ticks; longest gap ${res.maxGap.toFixed(0)} ms (includes SwiftShader frames)`);
    assert(res.verts > 0, 'surface');
    assert(res.ticksDuring >= Math.min(3, Math.floor(res.extraction / 50)), `main thread kept running during extraction (${res.ticksDuring} ticks in ${res.extraction.toFixed(0)} ms)`);
    assert(res.maxGap < 1500, `no multi-second freeze (max gap ${res.maxGap.toFixed(0)} ms)`);
    await shot('scene-100cubed-dark.png');
  });

  await test('no console errors, CSP violations or page errors', async () => {
    const errs = await hooks('t.consoleErrors');
    const viewErrors = await page.evaluate(() => window.__harness.state.viewErrors);
    const all = [...errs, ...pageErrors, ...viewErrors];
    eq(all.length, 0, `errors:\n        ${all.join('\n        ')}`);
  });

  // A fresh page without a worker URI: the main-thread fallback still draws the surface.
  await test('fallback without a worker URI', async () => {
    const p2 = await context.newPage();
    const errs = [];
    p2.on('pageerror', (e) => errs.push(e.message));
    p2.on('console', (m) => { if (m.type() === 'error') errs.push(m.text()); });
    await p2.goto(server.url + '?theme=dark&worker=0');
    await p2.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0);
    await p2.evaluate((s) => window.__harness.setScene(s), toWire(scene));
    await p2.waitForFunction(() => window.__ionpathTest.isosurfaceDone && window.__ionpathTest.isosurfaceVertexCount > 0);
    eq(await p2.evaluate(() => window.__ionpathTest.usesWorker), false, 'no worker');
    eq(errs.length, 0, `errors: ${errs.join('; ')}`);
    await p2.close();
  });
} finally {
  await browser.close();
  await server.close();
}

console.log(`\n${passed} passed, ${failed} failed${failures.length ? ` (${failures.join('; ')})` : ''}`);
console.log(`screenshots: ${outDir}`);
process.exit(failed ? 1 : 0);
