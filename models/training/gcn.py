"""
GCN with top-k pooling (seed 000_: Shi et al., "Predicting Li Transport Activation Energy with Graph Convolutional
Neural Network"), in plain PyTorch (no PyG), and the CGCNN crystal-graph baseline (Xie & Grossman, PRL 2018).

GCN layer (Kipf & Welling 2017), on the subgraph of nodes still kept by the pooling so far:
    H' = act(D̃^-½ Ã D̃^-½ H W),   Ã = A + I,  D̃_ii = Σ_j Ã_ij
    (A counts multi-edges: two periodic images of the same neighbour are two edges.)
Top-k pooling (Gao & Ji 2019, as PyG's TopKPooling): score y = H p / |p|; per graph keep the ceil(ratio · n) nodes with
the largest y and scale them, H ← H ⊙ tanh(y). Nodes are not removed physically: a 0/1 mask marks the kept ones,
which gives the same numbers as removal (a dropped node has no edges left and is left out of the readout), and makes
one code path for batched training and single-graph ONNX inference.
Readout: [mean ‖ max] over kept nodes → MLP(256 → 128 → 64 → 1).

Node features are standardised inside the model (mean/std of the training split are buffers), so the ONNX file takes
the raw features that `networkFeatures` (TS) produces.
"""
import math
import torch
import torch.nn as nn


def scatter_sum(src, index, n):
    """Σ of src rows into n buckets (ONNX: ScatterElements reduction=add, opset ≥ 16). Rows are summed as one flat
    1-D scatter_add over n·d slots, not with index_add / index_put(accumulate): torch.onnx (opset 17) exports those as
    ScatterND without a reduction (+ Add), which keeps one of several rows sent to the same node — measured: GCN layer
    outputs off by up to 1.5 on Li3N, so the v1 export (gcn-in-bvse-ea1d-v1) differed from its PyTorch model. The
    flat form is the same sum and exports exactly."""
    if src.dim() == 1:
        return torch.zeros(n, dtype=src.dtype, device=src.device).scatter_add(0, index, src)
    d = src.shape[1]
    flat = (index.unsqueeze(1) * d + torch.arange(d, device=src.device)).reshape(-1)
    return torch.zeros(n * d, dtype=src.dtype, device=src.device).scatter_add(0, flat, src.reshape(-1)).view(n, d)


class GCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out, bias=False)
        self.bias = nn.Parameter(torch.zeros(d_out))

    def forward(self, h, src, dst, mask):
        n = h.shape[0]
        w = mask[src] * mask[dst]                      # an edge survives only between kept nodes
        deg = mask + scatter_sum(w, dst, n)            # self-loop + kept in-edges
        dinv = torch.where(deg > 0, deg.clamp(min=1e-12).rsqrt(), torch.zeros_like(deg))
        hw = self.lin(h)
        msg = hw[src] * (w * dinv[src] * dinv[dst]).unsqueeze(1)
        out = scatter_sum(msg, dst, n) + hw * (dinv * dinv * mask).unsqueeze(1)
        return out + self.bias


class TopKPool(nn.Module):
    def __init__(self, d, ratio):
        super().__init__()
        self.ratio = ratio
        self.p = nn.Parameter(torch.randn(d) / math.sqrt(d))

    def forward(self, h, mask, batch, n_graphs):
        y = (h @ self.p) / self.p.norm()
        t = torch.tanh(y)
        n = h.shape[0]
        # Sort by (graph ascending, score descending), dropped nodes last within their graph.
        key = batch.double() * 4.0 + torch.where(mask > 0, 1.0 - t.double(), torch.full_like(t.double(), 3.5))
        order = torch.argsort(key)
        pos = torch.zeros(n, dtype=torch.long, device=h.device).scatter(0, order, torch.arange(n, device=h.device))
        counts = scatter_sum(torch.ones_like(mask), batch, n_graphs)
        start = torch.cumsum(counts, 0) - counts
        rank = pos - start.long()[batch]
        kept = scatter_sum(mask, batch, n_graphs)
        k = torch.ceil(kept * self.ratio)
        new_mask = mask * (rank.to(mask.dtype) < k[batch]).to(mask.dtype)
        return h * t.unsqueeze(1) * new_mask.unsqueeze(1), new_mask


def readout(h, mask, batch, n_graphs):
    """[mean ‖ max] over the kept nodes of each graph."""
    cnt = scatter_sum(mask, batch, n_graphs).clamp(min=1.0)
    mean = scatter_sum(h * mask.unsqueeze(1), batch, n_graphs) / cnt.unsqueeze(1)
    neg = torch.full_like(h, -1e9)
    hm = torch.where(mask.unsqueeze(1) > 0, h, neg)
    if n_graphs == 1:  # the single-graph (ONNX) path: no scatter-max (it would need opset 18)
        mx = hm.max(dim=0, keepdim=True).values
    else:
        mx = torch.full((n_graphs, h.shape[1]), -1e9, dtype=h.dtype, device=h.device)
        mx = mx.scatter_reduce(0, batch.unsqueeze(1).expand(-1, h.shape[1]), hm, reduce='amax', include_self=True)
    return torch.cat([mean, mx], dim=1)


class GCNTopK(nn.Module):
    def __init__(self, n_feat, hidden=128, ratios=(0.9, 0.8, 0.9), act='relu', mean=None, std=None):
        super().__init__()
        self.register_buffer('x_mean', torch.zeros(n_feat) if mean is None else torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer('x_std', torch.ones(n_feat) if std is None else torch.as_tensor(std, dtype=torch.float32))
        dims = [n_feat] + [hidden] * len(ratios)
        self.convs = nn.ModuleList([GCNLayer(dims[i], dims[i + 1]) for i in range(len(ratios))])
        self.pools = nn.ModuleList([TopKPool(hidden, r) for r in ratios])
        self.act = torch.sigmoid if act == 'sigmoid' else torch.relu
        self.mlp = nn.Sequential(nn.Linear(2 * hidden, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x, edge_index, batch=None, n_graphs=1):
        h = (x - self.x_mean) / self.x_std
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        src, dst = edge_index[0], edge_index[1]
        mask = torch.ones(x.shape[0], dtype=h.dtype, device=x.device)
        for conv, pool in zip(self.convs, self.pools):
            h = self.act(conv(h, src, dst, mask))
            h, mask = pool(h, mask, batch, n_graphs)
        return self.mlp(readout(h, mask, batch, n_graphs)).squeeze(1)


class CGCNNConv(nn.Module):
    """v_i ← v_i + Σ_j σ(z_ij W_f + b_f) ⊙ softplus(z_ij W_s + b_s), z_ij = v_i ‖ v_j ‖ u_ij (Xie & Grossman 2018)."""

    def __init__(self, d, d_edge):
        super().__init__()
        self.lin = nn.Linear(2 * d + d_edge, 2 * d)
        self.bn1 = nn.BatchNorm1d(2 * d)
        self.bn2 = nn.BatchNorm1d(d)

    def forward(self, v, src, dst, u):
        z = self.bn1(self.lin(torch.cat([v[dst], v[src], u], dim=1)))
        f, s = z.chunk(2, dim=1)
        agg = scatter_sum(torch.sigmoid(f) * nn.functional.softplus(s), dst, v.shape[0])
        return nn.functional.softplus(v + self.bn2(agg))


class CGCNN(nn.Module):
    def __init__(self, n_feat_extra, hidden=128, layers=3, centres=None, max_z=100):
        super().__init__()
        self.register_buffer('centres', torch.as_tensor(centres, dtype=torch.float32))
        self.width = float(centres[1] - centres[0])
        self.z_embed = nn.Embedding(max_z + 1, hidden)
        self.extra = nn.Linear(n_feat_extra, hidden)
        self.convs = nn.ModuleList([CGCNNConv(hidden, len(centres)) for _ in range(layers)])
        self.mlp = nn.Sequential(nn.Linear(2 * hidden, 128), nn.Softplus(), nn.Linear(128, 64), nn.Softplus(), nn.Linear(64, 1))

    def forward(self, x, edge_index, dist, batch, n_graphs):
        z = x[:, 0].long().clamp(0, self.z_embed.num_embeddings - 1)
        v = self.z_embed(z) + self.extra(x[:, 1:])
        u = torch.exp(-((dist.unsqueeze(1) - self.centres) ** 2) / self.width ** 2)
        for conv in self.convs:
            v = conv(v, edge_index[0], edge_index[1], u)
        mask = torch.ones(v.shape[0], dtype=v.dtype, device=v.device)
        return self.mlp(readout(v, mask, batch, n_graphs)).squeeze(1)


class EdgeGatedGCNLayer(nn.Module):
    """The GCN layer with the bottleneck in the adjacency: Ã_ij ← g_ij = σ(e_ij W_g + b_g) per channel (an edge-
    weighted, channel-wise adjacency; the self-loop keeps weight 1; the gate is computed once per graph and shared by
    the layers, for CPU cost), then the same D̃^-½ Ã D̃^-½ H W propagation with the degree D̃ from the kept edges
    (unweighted, as the plain layer), so a narrow bottleneck closes its edge."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.base = GCNLayer(d_in, d_out)

    def forward(self, h, src, dst, mask, gate):
        n = h.shape[0]
        w = mask[src] * mask[dst]
        deg = mask + scatter_sum(w, dst, n)
        dinv = torch.where(deg > 0, deg.clamp(min=1e-12).rsqrt(), torch.zeros_like(deg))
        hw = self.base.lin(h)
        msg = hw[src] * gate * (w * dinv[src] * dinv[dst]).unsqueeze(1)
        return scatter_sum(msg, dst, n) + hw * (dinv * dinv * mask).unsqueeze(1) + self.base.bias


class GCNTopKEdges(nn.Module):
    """GCN-IN v2: the seed's three GCN layers of 128 with top-k pooling (0.9/0.8/0.9), with the bottlenecks (edge
    features) gating the adjacency, a bottleneck readout ([mean ‖ max] over edges of MLP(h_a ‖ h_b ‖ e_ab), the
    narrowest point of a path is an edge property) and the graph-level percolation features (r_crit(d), …) joined to
    the readout. All inputs are standardised inside the model (training-split mean/std buffers)."""

    def __init__(self, n_feat, n_edge, n_graph, hidden=128, ratios=(0.9, 0.8, 0.9), stats=None, edge_hidden=64, residual_index=-1):
        super().__init__()
        # v3 option: predict a residual over one raw graph feature (the network's BVSE percolation barrier in 1D):
        # output = graph_features[:, residual_index] + MLP(...); -1: plain regression (v2).
        self.residual_index = int(residual_index)
        z = lambda k: torch.zeros(k)
        o = lambda k: torch.ones(k)
        s = stats or {}
        for name, k in (('x', n_feat), ('e', n_edge), ('g', n_graph)):
            self.register_buffer(f'{name}_mean', torch.as_tensor(s.get(f'{name}_mean', z(k)), dtype=torch.float32))
            self.register_buffer(f'{name}_std', torch.as_tensor(s.get(f'{name}_std', o(k)), dtype=torch.float32))
        dims = [n_feat] + [hidden] * len(ratios)
        self.convs = nn.ModuleList([EdgeGatedGCNLayer(dims[i], dims[i + 1]) for i in range(len(ratios))])
        self.gate = nn.Linear(n_edge, hidden)
        self.pools = nn.ModuleList([TopKPool(hidden, r) for r in ratios])
        self.edge_mlp = nn.Sequential(nn.Linear(2 * hidden + n_edge, edge_hidden), nn.ReLU())
        self.graph_mlp = nn.Sequential(nn.Linear(n_graph, 64), nn.ReLU())
        self.mlp = nn.Sequential(nn.Linear(2 * hidden + 2 * edge_hidden + 64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x, edge_index, edge_features, graph_features, batch=None, n_graphs=1):
        h = (x - self.x_mean) / self.x_std
        e = (edge_features - self.e_mean) / self.e_std
        g = (graph_features - self.g_mean) / self.g_std
        if batch is None:
            batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        src, dst = edge_index[0], edge_index[1]
        mask = torch.ones(x.shape[0], dtype=h.dtype, device=x.device)
        gate = torch.sigmoid(self.gate(e))
        for conv, pool in zip(self.convs, self.pools):
            h = torch.relu(conv(h, src, dst, mask, gate))
            h, mask = pool(h, mask, batch, n_graphs)
        m = self.edge_mlp(torch.cat([h[src], h[dst], e], 1))
        emask = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
        z = torch.cat([readout(h, mask, batch, n_graphs), readout(m, emask, batch[src], n_graphs), self.graph_mlp(g)], 1)
        out = self.mlp(z).squeeze(1)
        if self.residual_index >= 0:
            out = out + graph_features[:, self.residual_index]
        return out
