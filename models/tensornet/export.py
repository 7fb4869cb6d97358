"""Export TensorNet-MatPES-PBE-v2025.1 (tensornet.py) to ONNX, opset 17, and check the export.

Graph contract (all sizes dynamic; N atoms, E directed edges, both directions of every pair listed):
  inputs   species    int64   [N]    index into model.json element_types (not the atomic number)
           positions  float32 [N, 3] Cartesian, Å
           edge_src   int64   [E]
           edge_dst   int64   [E]
           edge_shift float32 [E, 3] Cartesian image shift (Å): r_e = positions[dst] + shift − positions[src]
  output   atom_energy float32 [N]   eV, data_std · e_i + element_ref[species_i]; total energy = Σ_i
Several disjoint structures may be concatenated into one graph (indices offset); each keeps its energies.

The frozen-framework pair (frozen.py; the scan's fast path, same weights) is written beside it:
  <out>.frozen-fixed.onnx   species [N], positions [N,3], edge_src/edge_dst [E], edge_shift [E,3] (the fixed edges)
                            → embedding_sum [N,9,C], pair_weights [L,3,C,N,N]
  <out>.frozen-probe.onnx   species [N], embedding_sum, pair_weights, probe_vec [P,3], probe_atom [P],
                            probe_pair_table [B·F,K], probe_copy_table [B,K'] → atom_energy [B,N]
(<out> without its .onnx suffix).

Usage: /usr/bin/python3 models/tensornet/export.py --weights ../shared/models/tensornet-matpes-pbe-v2025.1 \
           --out models/tensornet/tensornet-matpes-pbe-v2025.1.onnx
After export: onnx.checker, every edge sum must be ScatterElements(reduction=add), and, if onnxruntime is
installed in this Python, the reference energies; the numeric check that always runs is
test/unit/tensornet-onnx.test.ts (onnxruntime-node).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tensornet import case_inputs, load_model, neighbour_list  # noqa: E402
from frozen import FrozenFrameworkFixed, FrozenFrameworkProbe  # noqa: E402

INPUT_NAMES = ["species", "positions", "edge_src", "edge_dst", "edge_shift"]
OUTPUT_NAMES = ["atom_energy"]


def check_graph(path: str) -> None:
    import onnx

    model = onnx.load(path)
    onnx.checker.check_model(model)
    scatters = [n for n in model.graph.node if n.op_type in ("ScatterElements", "ScatterND", "Scatter")]
    for node in scatters:
        reduction = next((a.s.decode() for a in node.attribute if a.name == "reduction"), "none")
        # ScatterND(add) would be faster but onnxruntime's CPU kernel races on repeated indices (threads)
        if node.op_type != "ScatterElements" or reduction != "add":
            raise RuntimeError(f"{node.name}: {node.op_type} reduction={reduction}: the sums over edges would be wrong")
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"graph ok: opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, ops {', '.join(ops)}")


def frozen_example(model, case, cutoff):
    """Inputs of both frozen-framework graphs for a reference case, its first Li as the probe (two probe positions)."""
    lat = torch.tensor(case["lattice_A"], dtype=torch.float64)
    frac = torch.tensor(case["frac"], dtype=torch.float64)
    li = case["species"].index("Li")
    order = [i for i in range(len(frac)) if i != li] + [li]
    species = torch.tensor([model.element_types.index(case["species"][i]) for i in order], dtype=torch.int64)
    frac = frac[order]
    n = len(order)
    f = n - 1
    cart = frac @ lat
    src, dst, shift = neighbour_list(cart, lat, True, cutoff)
    keep = ((src < f) & (dst < f)) | ((src == f) & (dst == f))
    fixed_inputs = (species, cart.float(), src[keep], dst[keep], shift[keep])
    vecs, atoms = [], []
    pair_lists = [[] for _ in range(2 * f)]
    copy_lists = [[], []]
    for b, p in enumerate((frac[-1], frac[-1] + torch.tensor([0.04, 0.03, 0.05], dtype=torch.float64))):
        fr = frac.clone()
        fr[-1] = p
        c = fr @ lat
        s2, d2, sh2 = neighbour_list(c, lat, True, cutoff)
        for e in torch.nonzero((s2 == f) & (d2 < f))[:, 0].tolist():
            j = int(d2[e])
            pair_lists[b * f + j].append(len(vecs))
            copy_lists[b].append(len(vecs))
            vecs.append((c[j] + sh2[e].double() - c[f]).float())
            atoms.append(j)
    pad = len(vecs)

    def table(lists):
        k = max(1, max(len(x) for x in lists))
        return torch.tensor([x + [pad] * (k - len(x)) for x in lists], dtype=torch.int64)

    return fixed_inputs, (torch.stack(vecs), torch.tensor(atoms, dtype=torch.int64), table(pair_lists), table(copy_lists))


def export_frozen(model, ref, out: str, opset: int) -> None:
    stem = out[:-5] if out.endswith(".onnx") else out
    fixed, probe = FrozenFrameworkFixed(model), FrozenFrameworkProbe(model)
    fixed_inputs, probe_inputs = frozen_example(model, ref["cases"]["Li2O_2x1x1_plus_Li"], ref["cutoff_A"])
    with torch.no_grad():
        embedding_sum, pair_weights = fixed(*fixed_inputs)
        torch.onnx.export(
            fixed, fixed_inputs, stem + ".frozen-fixed.onnx",
            input_names=INPUT_NAMES, output_names=["embedding_sum", "pair_weights"],
            dynamic_axes={"species": {0: "n_atoms"}, "positions": {0: "n_atoms"}, "edge_src": {0: "n_edges"},
                          "edge_dst": {0: "n_edges"}, "edge_shift": {0: "n_edges"},
                          "embedding_sum": {0: "n_atoms"}, "pair_weights": {3: "n_atoms", 4: "n_atoms"}},
            opset_version=opset, do_constant_folding=True,
        )
        args = (fixed_inputs[0], embedding_sum, pair_weights, *probe_inputs)
        expected = probe(*args)
        torch.onnx.export(
            probe, args, stem + ".frozen-probe.onnx",
            input_names=["species", "embedding_sum", "pair_weights", "probe_vec", "probe_atom", "probe_pair_table", "probe_copy_table"],
            output_names=["atom_energy"],
            dynamic_axes={"species": {0: "n_atoms"}, "embedding_sum": {0: "n_atoms"}, "pair_weights": {3: "n_atoms", 4: "n_atoms"},
                          "probe_vec": {0: "n_probe_edges"}, "probe_atom": {0: "n_probe_edges"},
                          "probe_pair_table": {0: "n_copy_rows", 1: "k_pair"}, "probe_copy_table": {0: "n_copies", 1: "k_copy"},
                          "atom_energy": {0: "n_copies", 1: "n_atoms"}},
            opset_version=opset, do_constant_folding=True,
        )
    for path in (stem + ".frozen-fixed.onnx", stem + ".frozen-probe.onnx"):
        check_graph(path)
    print(f"frozen pair: probe energies (PyTorch) {[round(float(e), 5) for e in expected.double().sum(1)]} eV")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weights", required=True, help="folder with state.pt, model.json, reference_energies.json")
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=17)
    a = parser.parse_args()

    model = load_model(a.weights)
    with open(os.path.join(a.weights, "reference_energies.json")) as fh:
        ref = json.load(fh)
    # Trace on a periodic case with many edges; the graph is shape-generic (dynamic axes).
    example = case_inputs(ref["cases"]["Li2O"], model.element_types, ref["cutoff_A"])
    with torch.no_grad():
        torch.onnx.export(
            model,
            example,
            a.out,
            input_names=INPUT_NAMES,
            output_names=OUTPUT_NAMES,
            dynamic_axes={
                "species": {0: "n_atoms"},
                "positions": {0: "n_atoms"},
                "edge_src": {0: "n_edges"},
                "edge_dst": {0: "n_edges"},
                "edge_shift": {0: "n_edges"},
                "atom_energy": {0: "n_atoms"},
            },
            opset_version=a.opset,
            do_constant_folding=True,
        )
    check_graph(a.out)
    export_frozen(model, ref, a.out, a.opset)

    try:
        import onnxruntime as ort  # not in Debian; the Node test is the authoritative numeric check
    except ImportError:
        ort = None
    if ort is not None:
        session = ort.InferenceSession(a.out, providers=["CPUExecutionProvider"])
        worst = 0.0
        for name, case in ref["cases"].items():
            feeds = dict(zip(INPUT_NAMES, (t.numpy() for t in case_inputs(case, model.element_types, ref["cutoff_A"]))))
            e = float(session.run(None, feeds)[0].astype("float64").sum())
            worst = max(worst, abs(e - case["energy_eV"]))
            print(f"{name:22s} E(ONNX) {e:.5f} eV  ref {case['energy_eV']:.5f} eV")
        print(f"onnxruntime: max |ΔE| = {worst:.2e} eV")

    with open(a.out, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    print(f"{a.out}: {os.path.getsize(a.out)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
