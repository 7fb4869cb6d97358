"""
Collects the runs of train.py (checkpoints *.pt in --runs) into models/training/results.json and prints R² and MAE
(test split, eV) per model as mean ± standard deviation over the splits, and which IN run is best on validation
(that one is exported to ONNX).
Usage: /usr/bin/python3 models/training/summarize.py --runs /tmp/gcn-runs [--out models/training/results.json] [--kind in2]
(--runs is searched recursively for checkpoints.)
"""
import argparse, glob, json, os
import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument('--runs', default='/tmp/gcn-runs')
ap.add_argument('--out', default='models/training/results.json')
ap.add_argument('--kind', default='in', help='the IN kind whose best-validation run is named for export')
args = ap.parse_args()
runs = []
for p in sorted(glob.glob(os.path.join(args.runs, '**', '*.pt'), recursive=True)):
    ck = torch.load(p)
    r = dict(ck['result']); r['checkpoint'] = os.path.relpath(p, args.runs)
    runs.append(r)
summary = {}
for kind in sorted({r['kind'] for r in runs}):
    rs = [r for r in runs if r['kind'] == kind]
    s = {'splits': [r['seed'] for r in rs], 'epochs_run': [r['epochs_run'] for r in rs], 'best_epoch': [r['best_epoch'] for r in rs]}
    for split in ('val', 'test', 'test_clipped'):
        for m in ('R2', 'MAE'):
            v = np.array([r[split][m] for r in rs])
            s[f'{split}_{m}_mean'] = float(v.mean()); s[f'{split}_{m}_std'] = float(v.std(ddof=1)) if len(v) > 1 else 0.0
    summary[kind] = s
    print(f"{kind}: splits {s['splits']}, epochs run {s['epochs_run']} (best {s['best_epoch']}); "
          f"test R² {s['test_R2_mean']:.3f} ± {s['test_R2_std']:.3f}, MAE {s['test_MAE_mean']:.3f} ± {s['test_MAE_std']:.3f} eV; "
          f"clipped at 3 eV: R² {s['test_clipped_R2_mean']:.3f} ± {s['test_clipped_R2_std']:.3f}, MAE {s['test_clipped_MAE_mean']:.3f} ± {s['test_clipped_MAE_std']:.3f} eV; "
          f"val R² {s['val_R2_mean']:.3f} ± {s['val_R2_std']:.3f}")
ins = [r for r in runs if r['kind'] == args.kind]
best = max(ins, key=lambda r: r['val']['R2']) if ins else None
if best: print(f"best IN run on validation: {best['checkpoint']} (val R² {best['val']['R2']:.3f})")
with open(args.out, 'w') as f:
    json.dump({'summary': summary, 'best_in': best['checkpoint'] if best else None,
               'runs': [{k: v for k, v in r.items()} for r in runs]}, f, indent=1)
