"""
Trains the GCN on interstitial-network graphs (IN) and the crystal-graph baseline (CG: the same GCN on atoms-as-nodes
graphs; optionally CGCNN) on the SAME random
8:1:1 splits (seeds 0, 1, 2, …) to predict ionpath's BVSE Ea_1D (eV), and reports R² and MAE on each test split.

Data: the JSON lines written by scripts/export-graphs.ts (IN graphs from src/compute/gcn/features.ts, crystal graphs
from src/compute/gcn/crystalGraph.ts). Structures without a percolating BVSE path (Ea_1D empty) or without an
interstitial network are left out (the same set for both models).

Target transforms (chosen on validation data only, see --target): 'raw' (Ea_1D), 'clip' (min(Ea_1D, --clip)),
'log' (ln(Ea_1D + 0.05)). Predictions are mapped back to eV before any metric. Metrics are given against the raw
labels and against the clipped ones (the range a screening user cares about).

Model selection inside a run: the epoch with the lowest validation MSE (in the transformed target) is kept.
Kinds: 'in' (v1: GCN + top-k on node features), 'in2' (v2, gcn.GCNTopKEdges: bottleneck features gate the adjacency,
edge readout, graph-level r_crit features), 'in3' (v3: the same network on the v3 export, whose node/edge/graph
features include the BVSE energies at the network's points and its percolation barriers; --residual networkBarrier1
predicts the residual over the network barrier), 'cg', 'cgcnn'. --patience N: early stopping on validation MSE;
--plateau F,P: learning rate × F after P epochs without a better validation MSE.
Usage: /usr/bin/python3 models/training/train.py --data /tmp/gcn-data/graphs.jsonl --out models/training/runs
       [--models in,cg] [--seeds 0,1,2] [--epochs 150] [--budget-min 8] [--target clip] [--clip 3]
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gcn import GCNTopK, GCNTopKEdges, CGCNN  # noqa: E402

CG_CENTRES = [round(0.2 * k, 6) for k in range(26)]  # = gaussianCentres(5, 0.2) in crystalGraph.ts
DEFAULT_ENERGY_CAP = 5.0  # = ENERGY_CAP in features.ts: the BVSE feature clip of exports that do not record theirs


def load(path, keep_crystal_graph=True):
    """The usable records, sorted by id. Number lists become numpy arrays as they are read (and the crystal graph is
    dropped unless a crystal-graph model is trained): as Python lists, 4,500 graphs take ~10 GB per process."""
    recs = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r['Ea_1D'] is None or r['in'] is None or r['cg'] is None or r['in']['n'] == 0 or len(r['in']['ei']) == 0:
                continue
            g = r['in']
            for k in ('x', 'ef', 'g'):
                if k in g: g[k] = np.asarray(g[k], dtype=np.float32)
            g['ei'] = np.asarray(g['ei'], dtype=np.int64)
            if keep_crystal_graph:
                c = r['cg']
                c['x'] = np.asarray(c['x'], dtype=np.float32); c['ei'] = np.asarray(c['ei'], dtype=np.int64); c['d'] = np.asarray(c['d'], dtype=np.float32)
            else:
                r['cg'] = {}
            recs.append(r)
    recs.sort(key=lambda r: r['id'])
    return recs


def to_tensors(r, kind):
    g = r['cg' if kind in ('cg', 'cgcnn') else 'in']
    x = torch.as_tensor(g['x'], dtype=torch.float32).view(g['n'], -1)
    ei = torch.as_tensor(g['ei'], dtype=torch.long).view(2, -1)
    if kind == 'in':
        return x, ei, None
    if kind in ('in2', 'in3'):  # v2: bottleneck (edge) features and graph-level percolation features (v3: + BVSE)
        ef = torch.as_tensor(g['ef'], dtype=torch.float32).view(ei.shape[1], -1)
        return x, ei, (ef, torch.as_tensor(g['g'], dtype=torch.float32).view(1, -1))
    d = torch.as_tensor(g['d'], dtype=torch.float32)
    if kind == 'cgcnn':
        return x, ei, d
    # 'cg': the crystal graph through the SAME GCN + top-k network as the IN graph (the seed's representation
    # comparison). Node features: one-hot Z (1…100), χ, oxidation state, occupancy, and the mean over the node's
    # neighbours of the Gaussian-expanded distances exp(−(d − μ_k)²/σ²) (CGCNN's edge features, folded onto nodes
    # because a plain GCN has no edge features).
    z = x[:, 0].long().clamp(1, 100) - 1
    onehot = torch.zeros(g['n'], 100); onehot[torch.arange(g['n']), z] = 1.0
    c = torch.tensor(CG_CENTRES)
    gauss = torch.exp(-((d.unsqueeze(1) - c) ** 2) / (c[1] - c[0]) ** 2)
    cnt = torch.zeros(g['n']).index_add(0, ei[0], torch.ones(ei.shape[1])).clamp(min=1)
    gmean = torch.zeros(g['n'], len(CG_CENTRES)).index_add(0, ei[0], gauss) / cnt.unsqueeze(1)
    return torch.cat([onehot, x[:, 1:], gmean], 1), ei, None


def collate(items):
    xs, eis, ds, bs = [], [], [], []
    off = 0
    for b, (x, ei, d) in enumerate(items):
        xs.append(x); eis.append(ei + off); bs.append(torch.full((x.shape[0],), b, dtype=torch.long))
        if d is not None: ds.append(d)
        off += x.shape[0]
    if ds and isinstance(ds[0], tuple):
        d = (torch.cat([a for a, _ in ds]), torch.cat([g for _, g in ds]))
    else:
        d = torch.cat(ds) if ds else None
    return torch.cat(xs), torch.cat(eis, 1), d, torch.cat(bs), len(items)


class Target:
    def __init__(self, kind, clip):
        self.kind, self.clip = kind, clip

    def fwd(self, y):
        if self.kind == 'clip': return np.minimum(y, self.clip)
        if self.kind == 'log': return np.log(y + 0.05)
        return y

    def inv(self, t):
        if self.kind == 'log': return np.exp(t) - 0.05
        return t


def metrics(pred, y):
    ss = ((y - y.mean()) ** 2).sum()
    return {'R2': float(1 - ((pred - y) ** 2).sum() / ss) if ss > 0 else float('nan'), 'MAE': float(np.abs(pred - y).mean()), 'n': int(len(y))}


def splits(n, seed):
    rng = np.random.RandomState(seed)
    p = rng.permutation(n)
    a, b = int(0.8 * n), int(0.9 * n)
    return p[:a], p[a:b], p[b:]


def residual_index(recs, args):
    """--residual NAME: the model predicts target − graph feature NAME (raw), e.g. networkBarrier1 (v3)."""
    return recs[0]['in']['graphFeatureNames'].index(args.residual) if args.residual else -1


def run(kind, recs, tensors, y_raw, seed, args, target):
    torch.manual_seed(seed); np.random.seed(seed)
    tr, va, te = splits(len(recs), seed)
    yt = target.fwd(y_raw).astype(np.float32)
    if kind in ('in2', 'in3'):
        allx = torch.cat([tensors[i][0] for i in tr]); alle = torch.cat([tensors[i][2][0] for i in tr]); allg = torch.cat([tensors[i][2][1] for i in tr])
        sd = lambda t: torch.where(t.std(0) < 1e-6, torch.ones(t.shape[1]), t.std(0))
        model = GCNTopKEdges(allx.shape[1], alle.shape[1], allg.shape[1], hidden=128, ratios=(0.9, 0.8, 0.9),
                             stats={'x_mean': allx.mean(0), 'x_std': sd(allx), 'e_mean': alle.mean(0), 'e_std': sd(alle), 'g_mean': allg.mean(0), 'g_std': sd(allg)},
                             residual_index=residual_index(recs, args))
    elif kind in ('in', 'cg'):
        allx = torch.cat([tensors[i][0] for i in tr])
        std = allx.std(0); std[std < 1e-6] = 1.0
        model = GCNTopK(allx.shape[1], hidden=128, ratios=(0.9, 0.8, 0.9), act=args.act, mean=allx.mean(0), std=std)
    else:
        extra = torch.cat([tensors[i][0][:, 1:] for i in tr])
        model = CGCNN(extra.shape[1], hidden=128, layers=3, centres=CG_CENTRES)
        model.extra_mean, model.extra_std = extra.mean(0), extra.std(0).clamp(min=1e-6)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # --plateau F,P: halve (×F) the learning rate after P epochs without a better validation MSE (v3.2); off: the
    # seed's constant lr 1e-3.
    sched = None
    if args.plateau:
        f, p = args.plateau.split(',')
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='min', factor=float(f), patience=int(p))
    start_epochs = 0
    if args.resume:  # continue a stopped run of this kind and split from its best epoch (fresh Adam state)
        ck = torch.load(os.path.join(args.resume, f'{kind}-{args.target}-seed{seed}.pt'))
        model.load_state_dict(ck['state'])
        start_epochs = ck['result']['epochs_run']
        print(f'  [{kind} seed {seed}] resumed from its best epoch {ck["result"]["best_epoch"]} of {start_epochs}', flush=True)

    def forward(idx):
        items = []
        for i in idx:
            x, ei, d = tensors[i]
            if kind == 'cgcnn':
                x = torch.cat([x[:, :1], (x[:, 1:] - model.extra_mean) / model.extra_std], 1)
            items.append((x, ei, d))
        x, ei, d, b, n = collate(items)
        if kind in ('in2', 'in3'): return model(x, ei, d[0], d[1], b, n)
        return model(x, ei, d, b, n) if kind == 'cgcnn' else model(x, ei, b, n)

    def predict(idx):
        model.eval()
        out = []
        with torch.no_grad():
            for k in range(0, len(idx), args.batch):
                out.append(forward(idx[k:k + args.batch]).numpy())
        model.train()
        return np.concatenate(out)

    best, best_state, best_epoch, history = float('inf'), None, -1, []
    if args.resume:
        best = float(((predict(va) - yt[va]) ** 2).mean())
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    t0 = time.time()
    epochs = args.epochs
    rng = np.random.RandomState(1000 + seed)
    for epoch in range(epochs):
        perm = rng.permutation(tr)
        for k in range(0, len(perm), args.batch):
            idx = perm[k:k + args.batch]
            if len(idx) < 2: continue  # CGCNN's BatchNorm needs 2
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(forward(idx), torch.from_numpy(yt[idx]))
            loss.backward()
            opt.step()
        pv = predict(va)
        vmse = float(((pv - yt[va]) ** 2).mean())
        history.append(vmse)
        if sched is not None: sched.step(vmse)
        if vmse < best:
            best, best_epoch = vmse, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        elapsed = time.time() - t0
        print(f'  [{kind} seed {seed}] epoch {epoch + 1} val MSE {vmse:.4f} ({elapsed:.0f} s)', flush=True)
        if args.budget_min and epoch == 0:
            fit = int(args.budget_min * 60 / max(elapsed, 1e-3))
            if fit < epochs:
                print(f'  [{kind} seed {seed}] time budget {args.budget_min} min: {fit} epochs instead of {epochs}', flush=True)
                epochs = max(fit, 1)
        if epoch + 1 >= epochs: break
        if args.patience and epoch - best_epoch >= args.patience:
            print(f'  [{kind} seed {seed}] early stop: no better validation MSE for {args.patience} epochs (best epoch {best_epoch + 1})', flush=True)
            break
        if args.stop_file and os.path.exists(args.stop_file):
            print(f'  [{kind} seed {seed}] stop file {args.stop_file}: stopping after {epoch + 1} epochs', flush=True)
            break
        if args.deadline_ts and time.time() + (elapsed / (epoch + 1)) > args.deadline_ts:
            print(f'  [{kind} seed {seed}] wall-clock deadline {args.deadline}: stopping after {epoch + 1} of {args.epochs} epochs', flush=True)
            break
    model.load_state_dict(best_state)
    res = {'kind': kind, 'seed': seed, 'epochs_run': start_epochs + len(history), 'epochs_planned': args.epochs,
           'best_epoch': (start_epochs + best_epoch + 1) if best_epoch >= 0 else ck['result']['best_epoch'], 'resumed_after': start_epochs,
           'plateau': args.plateau or None, 'lr_final': opt.param_groups[0]['lr'],
           'train_s': round(time.time() - t0, 1), 'n_train': len(tr), 'n_val': len(va), 'n_test': len(te), 'target': target.kind}
    for name, idx in (('val', va), ('test', te)):
        p = target.inv(predict(idx))
        res[name] = metrics(p, y_raw[idx])
        res[name + '_clipped'] = metrics(np.minimum(p, args.clip), np.minimum(y_raw[idx], args.clip))
    res['test_ids'] = [recs[i]['id'] for i in te]
    return res, model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/tmp/gcn-data/graphs.jsonl')
    ap.add_argument('--out', default='models/training/runs')
    ap.add_argument('--models', default='in,cg', help="in: GCN on IN graphs; cg: the same GCN on crystal graphs; cgcnn: CGCNN on crystal graphs")
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--epochs', type=int, default=150)
    ap.add_argument('--budget-min', type=float, default=0, help='wall-clock minutes per run; fewer epochs if needed (reported)')
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--deadline', default='', help='HH:MM UTC, or kind=HH:MM,kind=HH:MM: stop training (keeping the best epoch) before this time')
    ap.add_argument('--target', default='raw', choices=['raw', 'clip', 'log'])
    ap.add_argument('--clip', type=float, default=3.0)
    ap.add_argument('--act', default='relu', choices=['relu', 'sigmoid'])
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--patience', type=int, default=0, help='early stopping: epochs without a better validation MSE (0: off)')
    ap.add_argument('--resume', default='', help='folder of checkpoints of a stopped run: continue each split from its best epoch')
    ap.add_argument('--residual', default='', help='in2/in3: predict a residual over this raw graph feature (e.g. networkBarrier1)')
    ap.add_argument('--plateau', default='', help="F,P: ReduceLROnPlateau on validation MSE, factor F after P epochs (e.g. 0.5,8)")
    ap.add_argument('--stop-file', default='', help='stop a run (keeping its best epoch) when this file exists')
    args = ap.parse_args()
    args.deadline_ts = 0
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    recs = load(args.data, keep_crystal_graph=any(k in ('cg', 'cgcnn') for k in args.models.split(',')))
    if args.limit: recs = recs[:args.limit]
    y = np.array([r['Ea_1D'] for r in recs], dtype=np.float64)
    print(f'{len(recs)} structures; Ea_1D(BVSE) median {np.median(y):.3f} eV, {np.mean(y > args.clip) * 100:.1f} % above {args.clip} eV', flush=True)
    target = Target(args.target, args.clip)
    results = []
    deadlines = dict(d.split('=') if '=' in d else ('*', d) for d in args.deadline.split(',') if d)
    for kind in args.models.split(','):
        dl = deadlines.get(kind, deadlines.get('*'))
        args.deadline_ts = 0
        if dl:
            h, m = map(int, dl.split(':'))
            now = time.gmtime()
            args.deadline_ts = time.mktime((now.tm_year, now.tm_mon, now.tm_mday, h, m, 0, 0, 0, 0)) - time.timezone
        tensors = [to_tensors(r, kind) for r in recs]
        for seed in [int(s) for s in args.seeds.split(',')]:
            res, model = run(kind, recs, tensors, y, seed, args, target)
            print(json.dumps({k: v for k, v in res.items() if k != 'test_ids'}), flush=True)
            results.append(res)
            edged = kind in ('in2', 'in3')
            torch.save({'state': model.state_dict(), 'args': vars(args), 'n_feat': tensors[0][0].shape[1],
                        'feature_names': recs[0]['in']['featureNames'] if kind in ('in', 'in2', 'in3') else None,
                        'edge_feature_names': recs[0]['in'].get('edgeFeatureNames') if edged else None,
                        'graph_feature_names': recs[0]['in'].get('graphFeatureNames') if edged else None,
                        'n_edge_feat': tensors[0][2][0].shape[1] if edged else None,
                        'n_graph_feat': tensors[0][2][1].shape[1] if edged else None,
                        'residual_index': residual_index(recs, args) if edged else -1,
                        # the clip of the BVSE features in the export (absent before v3.2: 5 eV); the ONNX metadata carries it
                        'energy_cap': recs[0]['in'].get('energyCap', DEFAULT_ENERGY_CAP) if kind == 'in3' else None, 'result': res},
                       os.path.join(args.out, f'{kind}-{args.target}-seed{seed}.pt'))
            with open(os.path.join(args.out, f'results-{args.target}-{args.models.replace(",", "+")}.json'), 'w') as f:
                json.dump({'n': len(recs), 'args': vars(args), 'runs': results}, f, indent=1)
    for kind in args.models.split(','):
        rs = [r for r in results if r['kind'] == kind]
        for split in ('val', 'test', 'test_clipped'):
            r2 = np.array([r[split]['R2'] for r in rs]); mae = np.array([r[split]['MAE'] for r in rs])
            print(f'{kind} {split}: R² {r2.mean():.3f} ± {r2.std(ddof=1) if len(rs) > 1 else 0:.3f}, MAE {mae.mean():.3f} ± {mae.std(ddof=1) if len(rs) > 1 else 0:.3f} eV (n={len(rs)} splits)')


if __name__ == '__main__':
    main()
