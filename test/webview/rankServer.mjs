// Serves the ranking table's real page (webview/rankTableHtml.ts, strict CSP) with the test harness
// (test/webview/rankHarness.ts) and dist/rankTable.js on 127.0.0.1, for test/webview/workbench.mjs.
import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { root } from './server.mjs';

async function bundle(entry, format, platform) {
  const r = await esbuild.build({ entryPoints: [join(root, entry)], bundle: true, format, platform, target: 'es2022', write: false, logLevel: 'warning' });
  return r.outputFiles[0].text;
}

export async function startRankServer() {
  const { renderRankTableHtml } = await import('data:text/javascript;base64,' + Buffer.from(await bundle('webview/rankTableHtml.ts', 'esm', 'neutral')).toString('base64'));
  const harness = await bundle('test/webview/rankHarness.ts', 'iife', 'browser');
  const table = await bundle('webview/rankTable.ts', 'iife', 'browser');
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${server.address().port}`;
    if (u.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderRankTableHtml({ scriptUri: `${origin}/rankTable.js`, preludeUri: `${origin}/harness.js`, nonce }));
    } else if (u.pathname === '/harness.js' || u.pathname === '/rankTable.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(u.pathname === '/harness.js' ? harness : table);
    } else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}
