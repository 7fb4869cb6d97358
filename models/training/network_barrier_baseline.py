"""
The zero-parameter estimate Ea_1D ≈ the network's own BVSE percolation barrier in 1D (src/compute/gcn/features.ts:
networkEnergies — BVSE at the interstices and bottlenecks of the interstitial network, edges weighted by
max(E_bottleneck, E_a, E_b) − E_min, smallest weight at which the network percolates in 1D), against the BVSE grid
label Ea_1D (models/gcn/labels-bvse.csv), on all structures and on the test parts of train.py's splits (seeds 0, 1,
2: the same load() order and split code). Nothing is fitted. A network that never percolates in 1D (null) counts as
the feature clip of the export (`in.energyCap`; 5 eV before v3.2, 10 eV from v3.2; --cap overrides).
Usage: /usr/bin/python3 models/training/network_barrier_baseline.py --data /tmp/gcn3-data/graphs.jsonl
       [--out models/training/results-network-barrier.json]
"""
import argparse, json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import DEFAULT_ENERGY_CAP, load, metrics, splits  # noqa: E402


def spearman(a, b):
    ra = np.argsort(np.argsort(a)).astype(float); rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def report(pred, y):
    m = metrics(pred, y)
    m['spearman'] = spearman(pred, y)
    m['clipped_3eV'] = metrics(np.minimum(pred, 3.0), np.minimum(y, 3.0))
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/gcn3-data/graphs.jsonl')
    ap.add_argument('--out', default='models/training/results-network-barrier.json')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--cap', type=float, default=0, help='the clip in eV (default: the export\'s in.energyCap)')
    args = ap.parse_args()
    recs = load(args.data)
    CAP = args.cap or float(recs[0]['in'].get('energyCap', DEFAULT_ENERGY_CAP))
    y = np.array([r['Ea_1D'] for r in recs])
    nb = np.array([r['in']['networkBarriers'][0] if r['in']['networkBarriers'][0] is not None else CAP for r in recs])
    never = int(sum(r['in']['networkBarriers'][0] is None for r in recs))
    out = {'n': len(recs), 'never_percolating_1d': never, 'all': report(nb, y), 'cap_eV': CAP, 'all_capped': report(np.minimum(nb, CAP), y), 'test': {}}
    print(f"{len(recs)} structures ({never} whose network never percolates in 1D): network barrier 1D vs Ea_1D(BVSE): "
          f"R² {out['all']['R2']:.3f}, MAE {out['all']['MAE']:.3f} eV, Spearman {out['all']['spearman']:.3f}; "
          f"capped at {CAP:g} eV: R² {out['all_capped']['R2']:.3f}; both clipped at 3 eV: R² {out['all']['clipped_3eV']['R2']:.3f}, MAE {out['all']['clipped_3eV']['MAE']:.3f} eV")
    r2s, maes = [], []
    out['val'] = {}
    for seed in [int(s) for s in args.seeds.split(',')]:
        _, va, te = splits(len(recs), seed)
        out['val'][str(seed)] = report(np.minimum(nb[va], CAP), y[va])
        m = report(np.minimum(nb[te], CAP), y[te])
        out['test'][str(seed)] = m
        r2s.append(m['R2']); maes.append(m['MAE'])
        v = out['val'][str(seed)]
        print(f"  test split seed {seed} (n={len(te)}): R² {m['R2']:.3f}, MAE {m['MAE']:.3f} eV, Spearman {m['spearman']:.3f}; clipped at 3 eV: R² {m['clipped_3eV']['R2']:.3f}, MAE {m['clipped_3eV']['MAE']:.3f} eV"
              f" | validation: R² {v['R2']:.3f}, MAE {v['MAE']:.3f} eV")
    out['test_R2_mean'], out['test_R2_std'] = float(np.mean(r2s)), float(np.std(r2s, ddof=1))
    out['test_MAE_mean'], out['test_MAE_std'] = float(np.mean(maes)), float(np.std(maes, ddof=1))
    print(f"  test: R² {out['test_R2_mean']:.3f} ± {out['test_R2_std']:.3f}, MAE {out['test_MAE_mean']:.3f} ± {out['test_MAE_std']:.3f} eV")
    abs_err = np.abs(np.minimum(nb, CAP) - y)
    out['abs_error_quantiles'] = {q: float(np.quantile(abs_err, float(q))) for q in ('0.5', '0.9', '0.95')}
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
