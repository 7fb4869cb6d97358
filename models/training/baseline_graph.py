"""
Baseline without a graph network: ridge regression on fixed-length descriptors of the interstitial network, on the
SAME 8:1:1 splits as train.py (splits(n, seed) over the records sorted by id, same filter), target clipped at 3 eV,
metrics against the raw BVSE Ea_1D (eV) like train.py.

Descriptors per structure: the graph-level features of src/compute/gcn/features.ts (r_crit(1/2/3), dimensionality,
ln V per framework ion, Li per framework ion, the critical bottleneck's 12 nearest ions Z/χ/d) ‖ mean, min, max of
the node features ‖ mean, min, max of the edge features. Z enters as a number (no one-hot). The ridge strength λ is
chosen on each split's validation part from a fixed grid (no test data seen).
Usage: /usr/bin/python3 models/training/baseline_graph.py --data /tmp/gcn2-data/graphs.jsonl
"""
import argparse, json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import load, splits, metrics  # noqa: E402


def descriptors(r):
    g = r['in']
    x = np.array(g['x']).reshape(g['n'], -1)
    ef = np.array(g['ef']).reshape(len(g['ei']) // 2, -1)
    return np.concatenate([np.array(g['g']), x.mean(0), x.min(0), x.max(0), ef.mean(0), ef.min(0), ef.max(0)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/gcn2-data/graphs.jsonl')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--clip', type=float, default=3.0)
    ap.add_argument('--out', default='')
    args = ap.parse_args()
    recs = load(args.data)
    X = np.array([descriptors(r) for r in recs]); y = np.array([r['Ea_1D'] for r in recs])
    out = []
    for seed in [int(s) for s in args.seeds.split(',')]:
        tr, va, te = splits(len(recs), seed)
        mu, sd = X[tr].mean(0), X[tr].std(0); sd[sd < 1e-9] = 1
        Z = (X - mu) / sd
        A = np.hstack([Z, np.ones((len(Z), 1))])
        t = np.minimum(y, args.clip)
        best = None
        for lam in (0.1, 1, 3, 10, 30, 100, 300, 1000):
            reg = lam * np.eye(A.shape[1]); reg[-1, -1] = 0
            w = np.linalg.solve(A[tr].T @ A[tr] + reg, A[tr].T @ t[tr])
            v = float(((A[va] @ w - t[va]) ** 2).mean())
            if best is None or v < best[0]: best = (v, lam, w)
        _, lam, w = best
        res = {'kind': 'ridge-graph', 'seed': seed, 'lambda': lam, 'n_features': int(X.shape[1]),
               'val': metrics(A[va] @ w, y[va]), 'test': metrics(A[te] @ w, y[te])}
        print(json.dumps(res)); out.append(res)
    r2 = np.array([r['test']['R2'] for r in out]); mae = np.array([r['test']['MAE'] for r in out])
    print(f'ridge-graph test: R² {r2.mean():.3f} ± {r2.std(ddof=1):.3f}, MAE {mae.mean():.3f} ± {mae.std(ddof=1):.3f} eV (n={len(out)} splits)')
    if args.out:
        with open(args.out, 'w') as f: json.dump({'n': len(recs), 'runs': out}, f, indent=1)


if __name__ == '__main__':
    main()
