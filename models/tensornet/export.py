"""Export TensorNet-MatPES-PBE-v2025.1 (tensornet.py) to ONNX, opset 17, and check the export.

Graph contract (all sizes dynamic; N atoms, E directed edges, both directions of every pair listed):
  inputs   species    int64   [N]    index into model.json element_types (not the atomic number)
           positions  float32 [N, 3] Cartesian, Å
           edge_src   int64   [E]
           edge_dst   int64   [E]
           edge_shift float32 [E, 3] Cartesian image shift (Å): r_e = positions[dst] + shift − positions[src]
  output   atom_energy float32 [N]   eV, data_std · e_i + element_ref[species_i]; total energy = Σ_i
Several disjoint structures may be concatenated into one graph (indices offset); each keeps its energies.

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
from tensornet import case_inputs, load_model  # noqa: E402

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
