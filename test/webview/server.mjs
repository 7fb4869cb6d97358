// Shared by test/webview/run.mjs and scripts/bench-webview.mjs: builds the webview bundles, serves
// the page that the extension would show (renderWebviewHtml, real CSP) plus the test harness on
// 127.0.0.1, and launches headless Chromium with WebGL through SwiftShader.
import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

/**
 * Build the bundles the tests need: dist/webview.js, dist/isosurface.worker.js and (for the real
 * scenes) the compute host dist/worker.js, with the project's build script, or just these if it fails.
 */
export async function buildWebview({ quiet = true, all = false } = {}) {
  const need = ['dist/webview.js', 'dist/isosurface.worker.js', ...(all ? ['dist/worker.js'] : [])];
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (r.status === 0 && need.every((f) => existsSync(join(root, f)))) return;
  if (!quiet) console.warn(`esbuild.mjs failed (${(r.stderr || '').split('\n')[0]}); building the test bundles only`);
  const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2022', platform: 'browser', format: 'iife', absWorkingDir: root };
  await esbuild.build({ ...common, entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' });
  await esbuild.build({ ...common, entryPoints: { 'isosurface.worker': 'webview/isosurface.worker.ts' }, outdir: 'dist' });
  if (all) await esbuild.build({ ...common, platform: 'node', format: 'cjs', target: 'node20', entryPoints: { worker: 'src/compute/host/worker.ts' }, outdir: 'dist' });
}

async function bundleToString(entry, format, platform) {
  const r = await esbuild.build({ entryPoints: [join(root, entry)], bundle: true, format, platform, target: 'es2022', write: false, logLevel: 'warning' });
  return r.outputFiles[0].text;
}

const THEMES = {
  dark: { cls: 'vscode-dark', vars: {
    'editor-background': '#1f1f1f', foreground: '#cccccc', descriptionForeground: '#9d9d9d', focusBorder: '#0078d4',
    'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
    'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c',
    'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c', 'dropdown-listBackground': '#1f1f1f',
    'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'checkbox-foreground': '#cccccc',
    'panel-border': '#2b2b2b', 'sideBar-background': '#181818', 'editorWidget-background': '#202020', 'editorWidget-border': '#454545',
    'errorForeground': '#f85149', 'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px',
    'list-activeSelectionBackground': '#04395e', 'list-hoverBackground': '#2a2d2e',
    'settings-dropdownBackground': '#313131', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownBorder': '#3c3c3c',
    'settings-checkboxBackground': '#313131', 'settings-checkboxForeground': '#cccccc', 'settings-checkboxBorder': '#3c3c3c',
  } },
  light: { cls: 'vscode-light', vars: {
    'editor-background': '#ffffff', foreground: '#3b3b3b', descriptionForeground: '#717171', focusBorder: '#005fb8',
    'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
    'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece',
    'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece', 'dropdown-listBackground': '#ffffff',
    'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'checkbox-foreground': '#3b3b3b',
    'panel-border': '#e5e5e5', 'sideBar-background': '#f8f8f8', 'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8',
    'errorForeground': '#f85149', 'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px',
    'list-activeSelectionBackground': '#e8e8e8', 'list-hoverBackground': '#f2f2f2',
    'settings-dropdownBackground': '#ffffff', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownBorder': '#cecece',
    'settings-checkboxBackground': '#f8f8f8', 'settings-checkboxForeground': '#3b3b3b', 'settings-checkboxBorder': '#cecece',
  } },
  'high-contrast': { cls: 'vscode-high-contrast', vars: {
    'editor-background': '#000000', foreground: '#ffffff', descriptionForeground: '#ffffff', focusBorder: '#f38518', contrastBorder: '#6fc3df',
    'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
    'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
    'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'dropdown-listBackground': '#000000',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'checkbox-foreground': '#ffffff',
    'panel-border': '#6fc3df', 'sideBar-background': '#000000', 'editorWidget-background': '#0c141f', 'editorWidget-border': '#6fc3df',
    'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownBorder': '#6fc3df',
    'settings-checkboxBackground': '#000000', 'settings-checkboxForeground': '#ffffff', 'settings-checkboxBorder': '#6fc3df',
    'errorForeground': '#f48771', 'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px',
  } },
};

/** JS that applies a theme the way VS Code does (body class + variables on <html>), for page.evaluate. */
export function themeScript(name) {
  const t = THEMES[name];
  return `(() => { const t = ${JSON.stringify(t)};
    document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast', 'vscode-high-contrast-light');
    document.body.classList.add(t.cls);
    const st = document.documentElement.style;
    for (const k of [...st]) if (k.startsWith('--vscode-')) st.removeProperty(k);
    for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty('--vscode-' + k, v);
  })()`;
}

/** Start the static server. Returns { url, close }. */
export async function startServer({ worker = true } = {}) {
  const { renderWebviewHtml } = await import('data:text/javascript;base64,' + Buffer.from(await bundleToString('webview/html.ts', 'esm', 'neutral')).toString('base64'));
  const harnessJs = await bundleToString('test/webview/harness.ts', 'iife', 'browser');
  const server = createServer(async (req, res) => {
    try {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const origin = `http://127.0.0.1:${server.address().port}`;
      if (u.pathname === '/' || u.pathname === '/index.html') {
        const nonce = randomBytes(16).toString('base64');
        let html = renderWebviewHtml({
          scriptUri: `${origin}/dist/webview.js`,
          workerUri: worker && u.searchParams.get('worker') !== '0' ? `${origin}/dist/isosurface.worker.js` : undefined,
          cspSource: origin, nonce, title: 'ionpath webview harness',
        });
        const theme = THEMES[u.searchParams.get('theme') ?? 'dark'] ?? THEMES.dark;
        const vars = Object.entries(theme.vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
        html = html.replace('<body>', `<body class="${theme.cls}">`)
          .replace('</head>', `<style nonce="${nonce}">:root { ${vars} }</style>\n</head>`)
          .replace(/(<script nonce="[^"]+" src="[^"]+webview\.js"><\/script>)/, `<script nonce="${nonce}" src="${origin}/harness.js"></script>\n$1`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(html);
        return;
      }
      if (u.pathname === '/favicon.ico') { res.writeHead(204).end(); return; }
      if (u.pathname === '/harness.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(harnessJs);
        return;
      }
      if (u.pathname.startsWith('/dist/')) {
        const file = normalize(join(root, u.pathname));
        if (!file.startsWith(join(root, 'dist'))) throw new Error('outside dist');
        const body = await readFile(file);
        const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.map') ? 'application/json' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      console.warn(`harness server: 404 ${u.pathname}`);
      res.writeHead(404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Encode typed arrays for page.evaluate (decoded by the harness). */
export function toWire(x) {
  if (x instanceof Float32Array) return { __f32: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64') };
  if (Array.isArray(x)) return x.map(toWire);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toWire(v)]));
  return x;
}
