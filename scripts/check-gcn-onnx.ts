/**
 * PyTorch ↔ ONNX check of the committed GCN model through the product's own path: for each CIF given, builds the
 * interstitial graph (gcn/features.ts), runs the ONNX model in onnxruntime-node (gcn/model.ts), and writes one JSON line
 * per structure with the graph (export-graphs.ts format) and the ONNX prediction, so that
 * `models/training/check_onnx.py` can recompute it with the PyTorch checkpoint and compare.
 * Usage: node out/scripts/check-gcn-onnx.js [--model models/gcn/gcn-in.onnx] --out /tmp/check.jsonl examples/*.cif
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { interstitialGraph } from '../src/compute/gcn/features';
import { defaultModelPath, energyCapOf, gcnModel, onnxMetadata } from '../src/compute/gcn/model';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const modelPath = opt('--model');
  const out = opt('--out') ?? '/tmp/gcn-onnx-check.jsonl';
  const model = gcnModel(modelPath ? { modelPath } : {});
  // The graph written for PyTorch uses the model's own BVSE feature clip, as gcn/model.ts does.
  const energyCap = energyCapOf(onnxMetadata(new Uint8Array(readFileSync(modelPath ?? defaultModelPath()))));
  const lines: string[] = [];
  for (const file of args) {
    const s = buildStructure(readFileSync(file, 'utf8')).structure;
    if (!s) { console.log(`${file}: does not build`); continue; }
    const g = interstitialGraph(s, { energyCap });
    const p = await model.predict(s);
    lines.push(JSON.stringify({ id: basename(file), onnx: p.Ea_1D_eV, in: { n: g.nodeCount, x: Array.from(g.nodeFeatures), ei: Array.from(g.edgeIndex), ef: Array.from(g.edgeFeatures), g: Array.from(g.graphFeatures) } }));
    console.log(`${basename(file)} Ea_1D(GCN-IN, ONNX) ${p.Ea_1D_eV?.toFixed(4)} eV (${p.details.executionProvider})`);
  }
  writeFileSync(out, lines.join('\n') + '\n');
}
void main();
