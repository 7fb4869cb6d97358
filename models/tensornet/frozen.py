"""TensorNet-MatPES for a frozen framework and one moving probe: the fixed part computed once (SCIENCE.md §6 scan).

The scan evaluates E(framework + ion at r_k) for thousands of r_k with the framework frozen. In TensorNet
(tensornet.py) everything that touches an edge depends only on the edge (its length, direction, the two species):

  embedding    M_i  = Σ_{e: dst=i} m_e                      (m_e: species pair, d_e, u_e)
  interaction  M_i  = Σ_{e: src=i} f_e ⊙ Y_{dst(e)}         (f_e = φ(d_e) MLP(g(d_e)), per part I/A/S)
              = Σ_j W_ij ⊙ Y_j,   W_ij = Σ_{images e of the pair (i, j)} f_e

and the radial MLP (3 → 128 → 256 → 384 per edge and layer) is ~85 % of the arithmetic of a whole evaluation. With
the framework frozen, every edge that does not touch the probe is the same for every r_k. So:

  FrozenFrameworkFixed (once per framework):  the framework's embedding sums M_i^fixed and the pair weights W_ij of
      every layer, from the edges between framework atoms and the probe's edges to its own periodic images (their
      lengths are lattice vectors, the same everywhere);
  FrozenFrameworkProbe (per batch of probe positions): the probe's edges to the framework only (~50–100 instead of
      ~1,400 in a 28-atom cell), then the per-atom part of the network for every copy.

The node updates run in the slot basis of tensornet.py (I, A, S own disjoint slots 0 | 1–3 | 4–8), so a channel
mixing L applied to the part I(X), A(X) or S(X) is L on that part's slots: 9 row products per atom instead of 27.
Only summation order differs from TensorNetPotential (float32); test/unit/mlip-scan.test.ts holds the optimised scan
to the brute-force one (whole model, one point per call) within 1e-3 eV at every grid point.

Conventions as tensornet.py: N = F + 1 atoms per copy, the probe last (index F); r = x_j + shift − x_probe for a
probe edge to framework atom j (both directions are implied: probe → j and j → probe, u reversed); W layout
[layer, part, C, src, dst].
"""

from __future__ import annotations

from typing import List

import torch
from torch import nn

from tensornet import SLOT_PART, TensorNetPotential, cosine_cutoff, neighbour_table, skew_from_vector, sum_by_table, traceless_outer

# Slots of each part in the slot basis (tensornet.py): I 0, A 1–3, S 4–8.
PART_SLOTS = [[0], [1, 2, 3], [4, 5, 6, 7, 8]]


def _parts_linear(linears: List[nn.Linear], x_slots: torch.Tensor) -> torch.Tensor:
    """L_I on slot 0, L_A on slots 1–3, L_S on slots 4–8 of [R, 9, C] (each L mixes channels, no bias)."""
    return torch.cat([torch.matmul(x_slots[:, s[0] : s[-1] + 1, :], lin.weight.t()) for lin, s in zip(linears, PART_SLOTS)], dim=1)


class SlotAlgebra(nn.Module):
    """Conversions between slot coordinates b [R, 9, C] and 3×3 matrices per channel, and the products needed."""

    def __init__(self, to_slots: torch.Tensor, from_slots: torch.Tensor):
        super().__init__()
        self.register_buffer("to_slots", to_slots, persistent=False)
        self.register_buffer("from_slots", from_slots, persistent=False)

    def matrix(self, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(self.from_slots, b).reshape(b.shape[0], 3, 3, b.shape[-1])

    def slots(self, m: torch.Tensor) -> torch.Tensor:
        return torch.matmul(self.to_slots, m.reshape(m.shape[0], 9, m.shape[-1]))

    def squared_norm(self, b: torch.Tensor) -> torch.Tensor:
        v = torch.matmul(self.from_slots, b)
        return (v * v).sum(1)

    def part_norms(self, b: torch.Tensor) -> torch.Tensor:
        """[‖I‖, ‖A‖, ‖S‖] (squared Frobenius) → [R, 3C] in tensornet.py's readout order."""
        out = []
        for s in PART_SLOTS:
            v = torch.matmul(self.from_slots[:, s[0] : s[-1] + 1], b[:, s[0] : s[-1] + 1, :])
            out.append((v * v).sum(1))
        return torch.cat(out, dim=-1)


def _edge_terms(net: TensorNetPotential, vec: torch.Tensor):
    """Length d, unit vector u, radial basis g(d) and cut-off φ(d) of edge vectors [E, 3] (as TensorNetPotential)."""
    d = torch.sqrt((vec * vec).sum(1))
    return d, vec / torch.clamp(d, min=1e-6)[:, None], net.basis(d), cosine_cutoff(d, net.cutoff)


def _matmul33(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a[:, :, :, None, :] * b[:, None, :, :, :]).sum(2)


class FrozenFrameworkFixed(nn.Module):
    """(species [N], positions [N,3], fixed edges src/dst/shift) → embedding_sum [N, 9, C], pair_weights [L, 3, C, N, N].

    The fixed edges are those between framework atoms and those of the probe (index N−1) to its own images.
    """

    def __init__(self, net: TensorNetPotential):
        super().__init__()
        self.net = net

    def forward(self, species, positions, edge_src, edge_dst, edge_shift):
        net = self.net
        emb = net.tensor_embedding
        c = net.units
        n = positions.shape[0]
        by_dst = neighbour_table(edge_dst, n)
        pair = edge_src * n + edge_dst
        by_pair = neighbour_table(pair, n * n)
        src = torch.cat((edge_src, torch.zeros_like(edge_src[:1])))
        dst = torch.cat((edge_dst, torch.zeros_like(edge_dst[:1])))
        far = torch.tensor([[2.0 * net.cutoff + 1.0, 0.0, 0.0]], dtype=edge_shift.dtype)
        shift = torch.cat((edge_shift, far))
        _, u, basis, phi = _edge_terms(net, positions[dst] + shift - positions[src])
        # embedding messages in slot form, summed at dst (TensorEmbedding.forward up to the aggregate)
        x = emb.emb(species)
        w = emb.emb2.weight
        z_edge = (x @ w[:, :c].t())[src] + (x @ w[:, c:].t())[dst] + emb.emb2.bias
        zphi = z_edge * phi[:, None]
        weights = torch.stack((zphi * emb.distance_proj1(basis), zphi * emb.distance_proj2(basis), zphi * emb.distance_proj3(basis)), dim=1)[:, SLOT_PART, :]
        eye = torch.eye(3, dtype=u.dtype)
        geometric = (eye + skew_from_vector(u) + traceless_outer(u)).reshape(-1, 9) @ net.to_slots.t()
        embedding_sum = sum_by_table(weights * geometric[:, :, None], by_dst)  # [N, 9, C]
        layers = []
        for layer in net.layers:
            f = (layer.linears_scalar(basis) * phi[:, None]).reshape(-1, c, 3).transpose(1, 2)  # [E+1, 3, C]
            wij = sum_by_table(f, by_pair).reshape(n, n, 3, c)  # [src, dst, part, C]
            layers.append(wij.permute(2, 3, 0, 1))
        return embedding_sum, torch.stack(layers, dim=0)


class FrozenFrameworkProbe(nn.Module):
    """Energies of B copies of the framework, each with the probe at its own position.

    Inputs: species [N] (probe last), embedding_sum [N,9,C], pair_weights [L,3,C,N,N] (FrozenFrameworkFixed),
    probe_vec [P,3] (x_j + shift − x_probe), probe_atom [P] (j < F), probe_pair_table [B·F, K] (probe edges of copy
    b to atom j at row b·F + j, padded with P), probe_copy_table [B, K'] (all probe edges of copy b, padded with P).
    Output: atom_energy [B, N] eV.
    """

    def __init__(self, net: TensorNetPotential):
        super().__init__()
        self.net = net
        self.alg = SlotAlgebra(net.to_slots, net.from_slots)

    def forward(self, species, embedding_sum, pair_weights, probe_vec, probe_atom, probe_pair_table, probe_copy_table):
        net, alg = self.net, self.alg
        emb = net.tensor_embedding
        c = net.units
        n = species.shape[0]
        f_count = n - 1
        b_count = probe_copy_table.shape[0]
        # ---- probe edges (+ one zero row, the padding id P) ----
        _, u, basis, phi = _edge_terms(net, probe_vec)
        x = emb.emb(species)
        w = emb.emb2.weight
        xa, xb = x @ w[:, :c].t(), x @ w[:, c:].t()
        eye = torch.eye(3, dtype=u.dtype)
        radial = torch.stack((emb.distance_proj1(basis), emb.distance_proj2(basis), emb.distance_proj3(basis)), dim=1)[:, SLOT_PART, :]
        skew_slots = skew_from_vector(u).reshape(-1, 9) @ net.to_slots.t()
        even_slots = (eye + traceless_outer(u)).reshape(-1, 9) @ net.to_slots.t()
        zero_row = torch.zeros_like(radial[:1])
        # probe → j (dst j): u; j → probe (dst probe): −u, so the skew part changes sign
        z_out = (xa[f_count:] + xb[probe_atom] + emb.emb2.bias) * phi[:, None]
        z_in = (xa[probe_atom] + xb[f_count:] + emb.emb2.bias) * phi[:, None]
        msg_out = torch.cat((z_out[:, None, :] * radial * (even_slots + skew_slots)[:, :, None], zero_row))
        msg_in = torch.cat((z_in[:, None, :] * radial * (even_slots - skew_slots)[:, :, None], zero_row))
        add_frame = sum_by_table(msg_out, probe_pair_table).reshape(b_count, f_count, 9, c)
        add_probe = sum_by_table(msg_in, probe_copy_table).reshape(b_count, 1, 9, c)
        m = embedding_sum[None] + torch.cat((add_frame, add_probe), dim=1)  # [B, N, 9, C]
        m = m.reshape(b_count * n, 9, c)
        # ---- embedding node update (TensorEmbedding.forward after the aggregate) ----
        norm = emb.init_norm(alg.squared_norm(m))
        s = emb.linears_scalar(norm).reshape(-1, c, 3)
        xs = _parts_linear(list(emb.linears_tensor), m) * s.transpose(1, 2)[:, SLOT_PART, :]
        # ---- interactions ----
        for li, layer in enumerate(net.layers):
            f = torch.cat(((layer.linears_scalar(basis) * phi[:, None]).reshape(-1, c, 3).transpose(1, 2), torch.zeros_like(radial[:1, :3])))
            w_probe = sum_by_table(f, probe_pair_table).reshape(b_count, f_count, 3, c)[:, :, SLOT_PART, :]  # [B, F, 9, C]
            xs = xs / (alg.squared_norm(xs) + 1.0)[:, None, :]
            y = _parts_linear(list(layer.linears_tensor[:3]), xs).reshape(b_count, n, 9, c)
            # fixed pairs: M_i = Σ_j W_ij ⊙ Y_j, one matrix product per part over atoms (all copies at once)
            parts = []
            for p, slots in enumerate(PART_SLOTS):
                yp = y[:, :, slots[0] : slots[-1] + 1, :]  # [B, N, n_p, C]
                k = len(slots)
                rhs = yp.permute(3, 1, 2, 0).reshape(c, n, k * b_count)
                prod = torch.matmul(pair_weights[li, p], rhs).reshape(c, n, k, b_count)
                parts.append(prod.permute(3, 1, 2, 0))
            msum = torch.cat(parts, dim=2)  # [B, N, 9, C]
            # probe pairs: framework atom j gets W_jp Y_probe, the probe gets Σ_j W_pj Y_j (W symmetric in the pair)
            frame_gain = w_probe * y[:, f_count:, :, :]
            probe_gain = (w_probe * y[:, :f_count, :, :]).sum(1, keepdim=True)
            msum = msum + torch.cat((frame_gain, probe_gain), dim=1)
            msum = msum.reshape(b_count * n, 9, c)
            ys = y.reshape(b_count * n, 9, c)
            mm, ym = alg.matrix(msum), alg.matrix(ys)
            prod_slots = alg.slots(_matmul33(mm, ym) + _matmul33(ym, mm))
            normp1 = (alg.squared_norm(prod_slots) + 1.0)[:, None, :]
            dxs = _parts_linear(list(layer.linears_tensor[3:]), prod_slots / normp1)
            dxm = alg.matrix(dxs)
            xs = xs + dxs + alg.slots(_matmul33(dxm, dxm))
        h = net.linear(net.out_norm(alg.part_norms(xs)))
        e = net.readout(h)[:, 0]
        energy = net.data_std * e + net.element_refs[species.repeat(b_count)]
        return energy.reshape(b_count, n)
