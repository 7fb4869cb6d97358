#!/usr/bin/env node
// Draws media/icon.png (256×256): a crystal lattice (framework anions, grey), lithium sites (purple,
// Jmol's Li colour) and the migration path between them coloured by energy (viridis). No dependencies:
// shapes are signed-distance functions with 4×4 supersampling, the PNG is written with node:zlib.
// Usage: node media/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const N = 256, SS = 4;
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const viridis = (t) => {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), u = x - i;
  return VIRIDIS[i].map((a, k) => a + u * (VIRIDIS[i + 1][k] - a));
};
// Path: a sine through the Li sites at y = 128, crossing saddles between them.
const pathY = (x) => 128 + 34 * Math.sin(((x - 40) / 176) * 2 * Math.PI);
const li = [[40, 128], [128, 128], [216, 128]];
const anions = [];
for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) anions.push([40 + i * 58.7, 40 + j * 58.7]);

function shade(x, y) {
  // Rounded-square background, dark navy.
  const r = 40, cx = Math.min(Math.max(x, r), N - r), cy = Math.min(Math.max(y, r), N - r);
  if (Math.hypot(x - cx, y - cy) > r) return [0, 0, 0, 0];
  let c = [22, 30, 54];
  const over = (col, alpha) => { c = c.map((v, k) => v * (1 - alpha) + col[k] * alpha); };
  // Cell outline.
  const inCell = x > 40 && x < 216 && y > 40 && y < 216;
  const dEdge = Math.min(Math.abs(x - 40), Math.abs(x - 216), Math.abs(y - 40), Math.abs(y - 216));
  if (dEdge < 2 && x > 38 && x < 218 && y > 38 && y < 218) over([120, 140, 180], 0.9);
  // Framework anions.
  for (const [ax, ay] of anions) {
    const d = Math.hypot(x - ax, y - ay);
    if (d < 15) { const l = 1 - d / 22; over([200 * l + 40, 60 * l + 30, 60 * l + 30].map((v) => Math.min(255, v)), 1); }
  }
  // Path tube coloured by energy (high at the saddles).
  if (x >= 40 && x <= 216) {
    const d = Math.abs(y - pathY(x)) / Math.sqrt(1 + (34 * 2 * Math.PI / 176 * Math.cos(((x - 40) / 176) * 2 * Math.PI)) ** 2);
    if (d < 9) {
      const t = Math.abs(Math.sin(((x - 40) / 176) * 2 * Math.PI));
      over(viridis(t), Math.min(1, (9 - d) / 1.5));
    }
  }
  // Li sites with a yellow halo.
  for (const [lx, ly] of li) {
    const d = Math.hypot(x - lx, y - ly);
    if (d < 26 && d > 19) over([255, 213, 74], 0.75);
    if (d < 19) { const l = 1 - d / 30; over([204 * l + 40, 128 * l + 30, 255 * l].map((v) => Math.min(255, v)), 1); }
  }
  void inCell;
  return [...c, 255];
}

const px = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  px[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let i = 0; i < SS; i++) for (let j = 0; j < SS; j++) {
      const s = shade(x + (i + 0.5) / SS, y + (j + 0.5) / SS);
      acc[0] += s[0] * s[3]; acc[1] += s[1] * s[3]; acc[2] += s[2] * s[3]; acc[3] += s[3];
    }
    const a = acc[3] / (SS * SS), o = y * (N * 4 + 1) + 1 + x * 4;
    px[o] = a ? Math.round(acc[0] / acc[3]) : 0; px[o + 1] = a ? Math.round(acc[1] / acc[3]) : 0; px[o + 2] = a ? Math.round(acc[2] / acc[3]) : 0; px[o + 3] = Math.round(a);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(px, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = fileURLToPath(new URL('./icon.png', import.meta.url));
writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
