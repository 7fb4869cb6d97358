"""TensorNet energy forward pass in plain PyTorch, for TensorNet-MatPES-PBE-v2025.1 (matgl).

Re-implementation (no PyG/DGL) of the inference path of matgl's `models/_tensornet_pyg.py`,
`layers/_embedding_pyg.py`, `layers/_graph_convolution_pyg.py`, `utils/maths.py` (materialsvirtuallab/matgl
at e9cde2291acd0b4c4a342428e7dd5e4d596b7bf9, BSD-3-Clause, see LICENSE-matgl-BSD-3.txt), after
G. Simeon, G. de Fabritiis, "TensorNet: Cartesian tensor representations for efficient learning of molecular
potentials", NeurIPS 2023 (arXiv:2306.06482).

Convention (matgl's): edge e = (src, dst, shift), vector r_e = pos[dst] + shift − pos[src] (Å), d_e = |r_e|,
both directions of every pair listed. Node features X_i ∈ R^{C×3×3} (C = 128 channels).

  radial basis   g_n(d), n = 0..2: matgl's smooth spherical Bessel basis (`_get_lambda_func`, cut-off rc = 5 Å)
  cut-off        φ(d) = ½(cos(π d / rc) + 1) for d ≤ rc, else 0
  decomposition  I(X) = tr(X)/3 · 1,  A(X) = (X − Xᵀ)/2,  S(X) = (X + Xᵀ)/2 − I(X);  ‖X‖ := Σ_ab X_ab²
                 (matgl's `tensor_norm` is the squared Frobenius norm, kept as is)
  embedding      Z_e = W_emb2 [emb(z_src) ‖ emb(z_dst)] + b;  u_e = r_e / max(d_e, 1e-6)
                 m_e = Z_e φ_e (f1_e 1 + f2_e skew(u_e) + f3_e (u_e u_eᵀ − 1/3)),  f_k = W_k g(d_e) + b_k
                 M_i = Σ_{e: dst=i} m_e ;  I, A, S = decompose(M_i)
                 s_i = MLP(LayerNorm(‖I + A + S‖)) → (s_I, s_A, s_S) ∈ R^{C×3}
                 X_i = s_I · L_I(I) + s_A · L_A(A) + s_S · L_S(S)      (L_* mix channels, no bias)
  interaction ×2 f_e = φ_e · MLP(g(d_e)) ∈ R^{C×3};  X ← X / (‖X‖ + 1)
                 I, A, S = decompose(X);  Y = L0(I) + L1(A) + L2(S)
                 M_i = Σ_{e: src=i} f_e,I I(Y_dst) + f_e,A A(Y_dst) + f_e,S S(Y_dst)
                 I', A', S' = decompose(M Y + Y M) / (‖M Y + Y M‖ + 1)     (O(3) group)
                 dX = L3(I') + L4(A') + L5(S');  X ← X + dX + dX dX
  readout        x_i = Linear(LayerNorm([‖I(X)‖, ‖A(X)‖, ‖S(X)‖]));  e_i = GatedMLP(x_i)
  energy         E_i = data_std · e_i + element_ref[z_i] (eV);  E = Σ_i E_i   (data_mean = 0 for this model)

Everything is per atom or per edge, so disjoint structures concatenated into one graph give each atom the
same energy as alone. For ONNX export (torch 1.13, onnxruntime CPU): sums over edges are a gather through a
per-atom neighbour table (built in the graph by sorting the edge indices) and a sum, not a scatter — see
`neighbour_table` for why; `index_add` (exports as ScatterElements without reduction: wrong) and `diagonal`
(crashes the exporter) are avoided (../shared/models/tensornet-matpes-pbe-v2025.1/NOTES.md).
"""

from __future__ import annotations

import json
import math
import os
from typing import List

import torch
from torch import nn


def smooth_spherical_bessel_coefficients(max_n: int, cutoff: float):
    """Constants of matgl's smooth spherical Bessel basis (`utils/maths.py::_get_lambda_func`).

    f_i(r) = a_i (sinc((i+1)πr/rc) + sinc((i+2)πr/rc)),  a_i = (−1)^i √2 π rc^-1.5 (i+1)(i+2)/√((i+1)²+(i+2)²)
    g_0 = f_0;  g_i = (f_i + √(e_i/d_{i−1}) g_{i−1}) / √d_i,  e_i = i²(i+2)²/(4(i+1)⁴+1),  d_0 = 1, d_i = 1 − e_i/d_{i−1}
    Returns (a [max_n], mix [max_n], inv_sqrt_d [max_n]).
    """
    en = [i**2 * (i + 2) ** 2 / (4 * (i + 1) ** 4 + 1) for i in range(max_n)]
    dn = [1.0]
    for i in range(1, max_n):
        dn.append(1 - en[i] / dn[-1])
    a = [
        (-1) ** i * math.sqrt(2.0) * math.pi / cutoff**1.5 * (i + 1) * (i + 2) / math.sqrt((i + 1) ** 2 + (i + 2) ** 2)
        for i in range(max_n)
    ]
    mix = [0.0] + [math.sqrt(en[i] / dn[i - 1]) for i in range(1, max_n)]
    inv_sqrt_d = [1.0 / math.sqrt(d) for d in dn]
    return a, mix, inv_sqrt_d


class SmoothBesselBasis(nn.Module):
    def __init__(self, max_n: int, cutoff: float):
        super().__init__()
        self.max_n = max_n
        self.cutoff = cutoff
        self.a, self.mix, self.inv_sqrt_d = smooth_spherical_bessel_coefficients(max_n, cutoff)

    def forward(self, d: torch.Tensor) -> torch.Tensor:
        # d: [E] > 0 (an edge of zero length is a duplicate atom: the caller must not list it)
        out: List[torch.Tensor] = []
        prev = d
        for i in range(self.max_n):
            x1 = d * ((i + 1) * math.pi / self.cutoff)
            x2 = d * ((i + 2) * math.pi / self.cutoff)
            f = self.a[i] * (torch.sin(x1) / x1 + torch.sin(x2) / x2)
            g = f if i == 0 else self.inv_sqrt_d[i] * (f + self.mix[i] * prev)
            out.append(g)
            prev = g
        return torch.stack(out, dim=1)


def cosine_cutoff(d: torch.Tensor, cutoff: float) -> torch.Tensor:
    return torch.where(d <= cutoff, 0.5 * (torch.cos(d * (math.pi / cutoff)) + 1.0), torch.zeros_like(d))


# Layout: a node/edge tensor feature is [rows, 3, 3, C] (channels last, so channel mixing is a plain MatMul and
# per-channel broadcasts run over contiguous spans of C), or flattened [rows, 9, C].
#
# Edge sums run in "slot" coordinates b = T vec(X) of the basis
#   slot 0: 1;  slots 1–3: E01−E10, E02−E20, E12−E21 (skew);  slots 4–8: E01+E10, E02+E20, E12+E21, E00−E11,
#   E11−E22 (symmetric traceless),
# in which the three parts I, A, S own disjoint slots, so f_I·I + f_A·A + f_S·S is one slot-wise product.
SLOT_PART = [0, 1, 1, 1, 2, 2, 2, 2, 2]


def _slot_basis():
    mats = []
    e = lambda i, j: torch.zeros(3, 3, dtype=torch.float64).index_put_((torch.tensor(i), torch.tensor(j)), torch.tensor(1.0, dtype=torch.float64))  # noqa: E731
    mats.append(torch.eye(3, dtype=torch.float64))
    mats += [e(0, 1) - e(1, 0), e(0, 2) - e(2, 0), e(1, 2) - e(2, 1)]
    mats += [e(0, 1) + e(1, 0), e(0, 2) + e(2, 0), e(1, 2) + e(2, 1), e(0, 0) - e(1, 1), e(1, 1) - e(2, 2)]
    from_slots = torch.stack([m.reshape(9) for m in mats], dim=1)  # vec(X) = from_slots @ b
    to_slots = torch.linalg.inv(from_slots)
    return to_slots.float(), from_slots.float()


def eye_cl(like: torch.Tensor) -> torch.Tensor:
    """3×3 identity shaped [3, 3, 1] to broadcast over channels-last tensors."""
    return torch.eye(3, dtype=like.dtype, device=like.device)[:, :, None]


def decompose(x: torch.Tensor):
    """I, A, S parts of [N, 3, 3, C] (trace by a masked sum: `diagonal` does not export)."""
    eye = eye_cl(x)
    scalar = ((x * eye).sum((1, 2)) / 3.0)[:, None, None, :] * eye
    xt = x.transpose(1, 2)
    skew = 0.5 * (x - xt)
    traceless = 0.5 * (x + xt) - scalar
    return scalar, skew, traceless


def squared_norm(x: torch.Tensor) -> torch.Tensor:
    """Σ_ab X_ab² of [N, 3, 3, C] → [N, C]."""
    return (x * x).sum((1, 2))


def matmul33(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-channel 3×3 product of [N, 3, 3, C] tensors."""
    return (a[:, :, :, None, :] * b[:, None, :, :, :]).sum(2)


def neighbour_table(index: torch.Tensor, n_rows: int) -> torch.Tensor:
    """[n_rows, K] table of the edges e with index[e] = n, K = the largest count, padded with E (the id of a
    dummy edge whose messages are exactly zero, see TensorNetPotential.forward).

    Sums over edges are then a gather and a sum over K: onnxruntime's ScatterElements(add) CPU kernel walks
    element by element (it took ~65 % of the run time), and its ScatterND(add), which adds whole rows, runs in
    parallel over indices and races on repeated ones (per-atom energies off by up to 0.06 eV between runs with
    2 threads, measured). Edges may come in any order: they are sorted here.
    """
    n_edges = index.shape[0]
    sorted_index, order = torch.sort(index)
    counts = torch.zeros(n_rows, dtype=torch.float32, device=index.device).scatter_add(
        0, index, torch.ones_like(index, dtype=torch.float32)
    )
    starts = torch.cumsum(counts, 0) - counts  # first position of each row's edges in sorted order
    slot = torch.arange(counts.max().to(torch.int64), device=index.device)  # 0..K−1 (dynamic K)
    position = starts.to(torch.int64)[:, None] + slot[None, :]
    valid = slot[None, :] < counts.to(torch.int64)[:, None]
    order_padded = torch.cat((order, torch.full_like(order[:1], n_edges)))
    return order_padded[torch.where(valid, position, torch.full_like(position, n_edges))]


def sum_by_table(values: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Σ_k values[table[n, k]] ([E+1, ...] → [n_rows, ...])."""
    return values[table].sum(1)


def skew_from_vector(u: torch.Tensor) -> torch.Tensor:
    """[E, 3] → [E, 3, 3], matgl's sign convention: rows (0, −z, y), (z, 0, −x), (−y, x, 0), i.e. skew(u) v = u × v."""
    zero = torch.zeros_like(u[:, 0])
    x, y, z = u[:, 0], u[:, 1], u[:, 2]
    return torch.stack((zero, -z, y, z, zero, -x, -y, x, zero), dim=1).reshape(-1, 3, 3)


def traceless_outer(u: torch.Tensor) -> torch.Tensor:
    outer = u.unsqueeze(-1) * u.unsqueeze(-2)
    eye = torch.eye(3, dtype=u.dtype, device=u.device)
    return outer - ((outer * eye).sum((-2, -1)) / 3.0)[:, None, None] * eye


class MLPStack(nn.Module):
    """Linear layers each followed by the activation (matgl applies it after every scalar linear)."""

    def __init__(self, dims: List[int], bias: bool = True):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b, bias=bias) for a, b in zip(dims[:-1], dims[1:])])
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = self.act(layer(x))
        return x


def per_part(f: torch.Tensor, units: int) -> torch.Tensor:
    """matgl's [E, 3C] scalar output read as (C, 3) → [E, 3 parts, C] → per slot [E, 9, C]."""
    f = f.reshape(-1, units, 3).transpose(1, 2)
    return f[:, SLOT_PART, :]


class TensorEmbedding(nn.Module):
    def __init__(self, units: int, n_basis: int, n_types: int, cutoff: float):
        super().__init__()
        self.units = units
        self.cutoff = cutoff
        self.distance_proj1 = nn.Linear(n_basis, units)
        self.distance_proj2 = nn.Linear(n_basis, units)
        self.distance_proj3 = nn.Linear(n_basis, units)
        self.emb = nn.Embedding(n_types, units)
        self.emb2 = nn.Linear(2 * units, units)
        self.linears_tensor = nn.ModuleList([nn.Linear(units, units, bias=False) for _ in range(3)])
        self.linears_scalar = MLPStack([units, 2 * units, 3 * units])
        self.init_norm = nn.LayerNorm(units)

    def forward(self, species, src, dst, unit_vec, basis, phi, by_dst, to_slots, from_slots):
        c = self.units
        x = self.emb(species)  # [N, C]
        # emb2([x_src ‖ x_dst]) split into the two halves of its weight, applied per atom then gathered.
        w = self.emb2.weight
        z_edge = (x @ w[:, :c].t())[src] + (x @ w[:, c:].t())[dst] + self.emb2.bias  # [E, C]
        zphi = z_edge * phi[:, None]
        weights = torch.stack(
            (zphi * self.distance_proj1(basis), zphi * self.distance_proj2(basis), zphi * self.distance_proj3(basis)),
            dim=1,
        )[:, SLOT_PART, :]  # [E, 9, C]
        eye = torch.eye(3, dtype=unit_vec.dtype, device=unit_vec.device)
        geometric = (eye + skew_from_vector(unit_vec) + traceless_outer(unit_vec)).reshape(-1, 9)
        geometric_slots = geometric @ to_slots.t()  # [E, 9]: slot 0 = 1, skew(u) in 1–3, traceless uuᵀ in 4–8
        msg = weights * geometric_slots[:, :, None]
        agg = torch.matmul(from_slots, sum_by_table(msg, by_dst)).reshape(-1, 3, 3, c)
        scalar, skew, traceless = decompose(agg)
        norm = self.init_norm(squared_norm(agg))
        s = self.linears_scalar(norm).reshape(-1, c, 3)
        scalar = self.linears_tensor[0](scalar) * s[:, None, None, :, 0]
        skew = self.linears_tensor[1](skew) * s[:, None, None, :, 1]
        traceless = self.linears_tensor[2](traceless) * s[:, None, None, :, 2]
        return scalar + skew + traceless


class TensorNetInteraction(nn.Module):
    def __init__(self, units: int, n_basis: int, cutoff: float):
        super().__init__()
        self.units = units
        self.linears_scalar = MLPStack([n_basis, units, 2 * units, 3 * units])
        self.linears_tensor = nn.ModuleList([nn.Linear(units, units, bias=False) for _ in range(6)])

    def forward(self, x, src, dst, basis, phi, by_src, to_slots, from_slots):
        c = self.units
        f_slots = per_part(self.linears_scalar(basis) * phi[:, None], c)  # [E, 9, C]
        x = x / (squared_norm(x) + 1.0)[:, None, None, :]
        scalar, skew, traceless = decompose(x)
        y = self.linears_tensor[0](scalar) + self.linears_tensor[1](skew) + self.linears_tensor[2](traceless)
        y_slots = torch.matmul(to_slots, y.reshape(-1, 9, c))  # [N, 9, C]
        msg = f_slots * y_slots[dst]  # f_I I(Y_dst) + f_A A(Y_dst) + f_S S(Y_dst), slot-wise
        m = torch.matmul(from_slots, sum_by_table(msg, by_src)).reshape(-1, 3, 3, c)
        scalar, skew, traceless = decompose(matmul33(m, y) + matmul33(y, m))
        normp1 = (squared_norm(scalar + skew + traceless) + 1.0)[:, None, None, :]
        dx = (
            self.linears_tensor[3](scalar / normp1)
            + self.linears_tensor[4](skew / normp1)
            + self.linears_tensor[5](traceless / normp1)
        )
        return x + dx + matmul33(dx, dx)


class GatedMLP(nn.Module):
    """matgl's GatedMLP: (SiLU-MLP, linear last) ⊙ (SiLU-MLP, sigmoid last)."""

    def __init__(self, dims: List[int]):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.gates = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, g = x, x
        last = len(self.layers) - 1
        for i in range(len(self.layers)):
            h = self.layers[i](h)
            g = self.gates[i](g)
            if i < last:
                h = self.act(h)
                g = self.act(g)
        return h * torch.sigmoid(g)


class TensorNetPotential(nn.Module):
    """(species [N] int64, positions [N,3], edge_src [E], edge_dst [E], edge_shift [E,3]) → atom_energy [N] eV."""

    def __init__(self, units=128, nblocks=2, max_n=3, cutoff=5.0, n_types=89):
        super().__init__()
        self.units = units
        self.cutoff = cutoff
        self.basis = SmoothBesselBasis(max_n, cutoff)
        self.tensor_embedding = TensorEmbedding(units, max_n, n_types, cutoff)
        self.layers = nn.ModuleList([TensorNetInteraction(units, max_n, cutoff) for _ in range(nblocks)])
        self.out_norm = nn.LayerNorm(3 * units)
        self.linear = nn.Linear(3 * units, units)
        self.readout = GatedMLP([units, units, units, units, 1])
        self.register_buffer("data_std", torch.tensor(1.0))
        self.register_buffer("element_refs", torch.zeros(n_types))
        to_slots, from_slots = _slot_basis()
        self.register_buffer("to_slots", to_slots, persistent=False)
        self.register_buffer("from_slots", from_slots, persistent=False)

    def forward(self, species, positions, edge_src, edge_dst, edge_shift):
        n_atoms = positions.shape[0]
        by_src = neighbour_table(edge_src, n_atoms)
        by_dst = neighbour_table(edge_dst, n_atoms)
        # one dummy edge (id E) from atom 0 to itself shifted beyond the cut-off: φ = 0, so its messages are
        # exactly zero and it pads the neighbour tables
        src = torch.cat((edge_src, torch.zeros_like(edge_src[:1])))
        dst = torch.cat((edge_dst, torch.zeros_like(edge_dst[:1])))
        far = torch.tensor([[2.0 * self.cutoff + 1.0, 0.0, 0.0]], dtype=edge_shift.dtype, device=edge_shift.device)
        shift = torch.cat((edge_shift, far))
        vec = positions[dst] + shift - positions[src]
        d = torch.sqrt((vec * vec).sum(1))
        unit_vec = vec / torch.clamp(d, min=1e-6)[:, None]
        basis = self.basis(d)
        phi = cosine_cutoff(d, self.cutoff)
        t, f = self.to_slots, self.from_slots
        x = self.tensor_embedding(species, src, dst, unit_vec, basis, phi, by_dst, t, f)
        for layer in self.layers:
            x = layer(x, src, dst, basis, phi, by_src, t, f)
        scalar, skew, traceless = decompose(x)
        h = torch.cat((squared_norm(scalar), squared_norm(skew), squared_norm(traceless)), dim=-1)
        h = self.linear(self.out_norm(h))
        e = self.readout(h)[:, 0]
        return self.data_std * e + self.element_refs[species]


def _remap_state_dict(sd):
    """matgl's state_dict names → this module's."""
    out = {}
    for k, v in sd.items():
        if k == "data_std":
            out["data_std"] = v.float()
        elif k == "element_refs.property_offset":
            out["element_refs"] = v.float()
        elif k.startswith("model.final_layer.gated."):
            # nn.Sequential indices 0,2,4,6 (Linear) interleaved with activations → ModuleList 0..3
            rest = k[len("model.final_layer.gated.") :]
            part, idx, name = rest.split(".")
            out[f"readout.{part}.{int(idx) // 2}.{name}"] = v
        elif k.startswith("model."):
            k2 = k[len("model.") :]
            if k2.startswith("bond_expansion."):
                continue
            k2 = k2.replace("linears_scalar.", "linears_scalar.layers.")
            out[k2] = v
    return out


def load_model(weights_dir: str) -> TensorNetPotential:
    """Build from model.json + state.pt in weights_dir; checks the hyper-parameters this code implements."""
    with open(os.path.join(weights_dir, "model.json")) as fh:
        meta = json.load(fh)
    args = meta["kwargs"]["model"]["init_args"]
    expected = {
        "rbf_type": "SphericalBessel",
        "use_smooth": True,
        "activation_type": "swish",
        "equivariance_invariance_group": "O(3)",
        "readout_type": "weighted_atom",
        "is_intensive": False,
        "include_state": False,
    }
    for key, value in expected.items():
        if args[key] != value:
            raise ValueError(f"model.json: {key} = {args[key]!r}, this re-implementation supports only {value!r}")
    sd = torch.load(os.path.join(weights_dir, "state.pt"), map_location="cpu")
    if float(sd["data_mean"]) != 0.0:
        raise ValueError("data_mean != 0 cannot be split into per-atom energies without a per-structure count")
    model = TensorNetPotential(
        units=args["units"],
        nblocks=args["nblocks"],
        max_n=args["max_n"],
        cutoff=float(args["cutoff"]),
        n_types=len(args["element_types"]),
    )
    model.load_state_dict(_remap_state_dict(sd), strict=True)
    model.eval()
    model.element_types = list(args["element_types"])
    return model


# ---------------------------------------------------------------------------------------------------------
# Reference check: brute-force periodic neighbour list and the test vectors in reference_energies.json.


def neighbour_list(cart, lattice, pbc: bool, cutoff: float):
    """All directed pairs (i, j, shift) with |cart[j] + shift − cart[i]| ≤ cutoff, own zero-shift image excluded."""
    import itertools

    cart = torch.as_tensor(cart, dtype=torch.float64)
    n = cart.shape[0]
    shifts = [torch.zeros(3, dtype=torch.float64)]
    if pbc:
        lat = torch.as_tensor(lattice, dtype=torch.float64)
        inv = torch.linalg.inv(lat)
        # number of images along a: cutoff / (distance between lattice planes) = cutoff · |row a of inv(lat)ᵀ|
        reps = [int(math.ceil(cutoff * float(torch.linalg.norm(inv[:, k])))) + 1 for k in range(3)]
        shifts = [
            torch.tensor(t, dtype=torch.float64) @ lat
            for t in itertools.product(*(range(-r, r + 1) for r in reps))
        ]
    src, dst, sh = [], [], []
    for s in shifts:
        diff = cart[None, :, :] + s[None, None, :] - cart[:, None, :]
        dist = torch.linalg.norm(diff, dim=-1)
        mask = dist <= cutoff
        if float(torch.linalg.norm(s)) == 0.0:
            mask &= dist > 1e-8
        i, j = torch.nonzero(mask, as_tuple=True)
        src.append(i)
        dst.append(j)
        sh.append(s.expand(i.shape[0], 3))
    return torch.cat(src), torch.cat(dst), torch.cat(sh).float()


def case_inputs(case, element_types, cutoff=5.0):
    species = torch.tensor([element_types.index(s) for s in case["species"]], dtype=torch.int64)
    if "cart_A" in case:
        cart = torch.tensor(case["cart_A"], dtype=torch.float64)
    else:
        cart = torch.tensor(case["frac"], dtype=torch.float64) @ torch.tensor(case["lattice_A"], dtype=torch.float64)
    src, dst, shift = neighbour_list(cart, case.get("lattice_A"), case["pbc"], cutoff)
    return species, cart.float(), src, dst, shift


def main():
    import argparse

    parser = argparse.ArgumentParser(description="Check the re-implementation against reference_energies.json")
    parser.add_argument("--weights", required=True)
    a = parser.parse_args()
    model = load_model(a.weights)
    with open(os.path.join(a.weights, "reference_energies.json")) as fh:
        ref = json.load(fh)
    worst = 0.0
    with torch.no_grad():
        for name, case in ref["cases"].items():
            species, pos, src, dst, shift = case_inputs(case, model.element_types, ref["cutoff_A"])
            e = model(species, pos, src, dst, shift).double().sum().item()
            delta = e - case["energy_eV"]
            worst = max(worst, abs(delta))
            print(
                f"{name:22s} N={len(species):3d} E_edges={len(src):5d} (ref {case['n_edges']:5d})  "
                f"E(TensorNet) {e:.5f} eV  ref {case['energy_eV']:.5f} eV  ΔE {delta:+.2e} eV"
            )
    print(f"max |ΔE| = {worst:.2e} eV")


if __name__ == "__main__":
    main()
