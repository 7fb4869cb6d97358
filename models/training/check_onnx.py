"""
Recomputes the predictions written by scripts/check-gcn-onnx.ts (graph from the TS feature code, ONNX output from
onnxruntime-node) with the PyTorch checkpoint, and asserts |ONNX − PyTorch| < 1e-4 eV.
Usage: /usr/bin/python3 models/training/check_onnx.py --ckpt CKPT --data /tmp/check.jsonl
"""
import argparse, json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gcn import GCNTopK, GCNTopKEdges  # noqa: E402

ap = argparse.ArgumentParser(); ap.add_argument('--ckpt', required=True); ap.add_argument('--data', required=True)
a = ap.parse_args()
ck = torch.load(a.ckpt)
v2 = ck.get('n_edge_feat') is not None
model = GCNTopKEdges(ck['n_feat'], ck['n_edge_feat'], ck['n_graph_feat'], residual_index=ck.get('residual_index', -1)) if v2 else GCNTopK(ck['n_feat'])
model.load_state_dict(ck['state']); model.eval()
worst = 0.0
for line in open(a.data):
    r = json.loads(line); g = r['in']
    x = torch.tensor(g['x']).view(g['n'], -1); ei = torch.tensor(g['ei'], dtype=torch.long).view(2, -1)
    extra = (torch.tensor(g['ef']).view(ei.shape[1], -1), torch.tensor(g['g']).view(1, -1)) if v2 else ()
    with torch.no_grad(): ref = float(model(x, ei, *extra))
    if ck['args']['target'] == 'log': ref = float(torch.exp(torch.tensor(ref)) - 0.05)
    worst = max(worst, abs(ref - r['onnx']))
    print(f"{r['id']}: PyTorch {ref:.5f}  ONNX {r['onnx']:.5f} eV")
print(f'max |ONNX − PyTorch| = {worst:.2e} eV'); assert worst < 1e-4
