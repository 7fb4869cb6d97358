"""
Exports a trained IN model (a checkpoint written by train.py) to ONNX, opset 17, one graph per call:
  inputs   node_features float32 [N, F] (raw features from src/compute/gcn/features.ts), edge_index int64 [2, E]
  (v2 checkpoints, kind in2, also: edge_features float32 [E, G] in edge_index's column order, graph_features
  float32 [1, H]; their names in metadata edge_feature_names / graph_feature_names)
  output   ea_1d_ev float32 [1]: Ea_1D(GCN-IN) in eV (the target transform of training is undone inside the graph)
metadata_props: model_id, feature_names (JSON), target, training (JSON summary of the run), energy_cap (eV: the clip of
the BVSE features in the training export, v3.2 on; absent = 5 eV).
Then checks the ONNX file against PyTorch on a few graphs of the data set (|Δ| < 1e-4 eV) when onnxruntime is
available in Python, else with onnx.checker only (the TS test runs it in onnxruntime-node).
Usage: /usr/bin/python3 models/training/export_onnx.py --ckpt models/training/runs/in-clip-seed0.pt --out models/gcn/gcn-in.onnx
"""
import argparse, json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gcn import GCNTopK, GCNTopKEdges  # noqa: E402


class Exported(torch.nn.Module):
    def __init__(self, model, target):
        super().__init__()
        self.model, self.target = model, target

    def forward(self, node_features, edge_index, *extra):
        t = self.model(node_features, edge_index, *extra)
        return torch.exp(t) - 0.05 if self.target == 'log' else t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', default='models/gcn/gcn-in.onnx')
    ap.add_argument('--model-id', default='gcn-in-bvse-ea1d-v1')
    ap.add_argument('--data', default=None, help='JSON lines to compare PyTorch and ONNX on')
    args = ap.parse_args()
    ck = torch.load(args.ckpt)
    a = ck['args']
    v2 = ck.get('n_edge_feat') is not None
    if v2:
        model = GCNTopKEdges(ck['n_feat'], ck['n_edge_feat'], ck['n_graph_feat'], hidden=128, ratios=(0.9, 0.8, 0.9), residual_index=ck.get('residual_index', -1))
    else:
        model = GCNTopK(ck['n_feat'], hidden=128, ratios=(0.9, 0.8, 0.9), act=a.get('act', 'relu'))
    model.load_state_dict(ck['state'])
    model.eval()
    wrapped = Exported(model, a['target']).eval()
    x = torch.randn(7, ck['n_feat']); ei = torch.tensor([[0, 1, 2, 3, 4, 5, 6, 1], [1, 0, 3, 2, 5, 4, 6, 2]])
    inputs, names, axes = (x, ei), ['node_features', 'edge_index'], {'node_features': {0: 'N'}, 'edge_index': {1: 'E'}}
    if v2:
        inputs += (torch.randn(8, ck['n_edge_feat']), torch.randn(1, ck['n_graph_feat']))
        names += ['edge_features', 'graph_features']; axes['edge_features'] = {0: 'E'}
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    torch.onnx.export(wrapped, inputs, args.out, opset_version=17, input_names=names,
                      output_names=['ea_1d_ev'], dynamic_axes=axes)
    import onnx
    m = onnx.load(args.out)
    res = ck['result']
    summary = {k: res[k] for k in ('seed', 'epochs_run', 'epochs_planned', 'best_epoch', 'n_train', 'n_val', 'n_test', 'target', 'val', 'test')}
    if ck.get('residual_index', -1) >= 0: summary['residual_over'] = ck['graph_feature_names'][ck['residual_index']]
    for k, v in {'model_id': args.model_id, 'feature_names': json.dumps(ck['feature_names']),
                 'target': f"Ea_1D (ionpath BVSE, 0.2 Å), transform {a['target']}" + (f" at {a['clip']} eV" if a['target'] == 'clip' else ''),
                 'training': json.dumps(summary),
                 **({'energy_cap': repr(float(ck['energy_cap']))} if ck.get('energy_cap') is not None else {}),
                 **({'edge_feature_names': json.dumps(ck['edge_feature_names']), 'graph_feature_names': json.dumps(ck['graph_feature_names'])} if v2 else {})}.items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, args.out)
    print(f'wrote {args.out} ({os.path.getsize(args.out)} bytes)')
    if args.data:
        try:
            import onnxruntime as ort
        except ImportError:
            print('onnxruntime not installed in Python: ONNX checked with onnx.checker only')
            return
        sess = ort.InferenceSession(args.out)
        with open(args.data) as f:
            for i, line in zip(range(5), f):
                r = json.loads(line)
                if not r['in']: continue
                xx = torch.tensor(r['in']['x'], dtype=torch.float32).view(r['in']['n'], -1)
                ee = torch.tensor(r['in']['ei'], dtype=torch.long).view(2, -1)
                feeds = {'node_features': xx.numpy(), 'edge_index': ee.numpy()}
                extra = ()
                if v2:
                    extra = (torch.tensor(r['in']['ef'], dtype=torch.float32).view(ee.shape[1], -1), torch.tensor(r['in']['g'], dtype=torch.float32).view(1, -1))
                    feeds['edge_features'], feeds['graph_features'] = extra[0].numpy(), extra[1].numpy()
                with torch.no_grad(): ref = float(wrapped(xx, ee, *extra))
                got = float(sess.run(None, feeds)[0][0])
                print(r['id'], ref, got)
                assert abs(ref - got) < 1e-4


if __name__ == '__main__':
    main()
