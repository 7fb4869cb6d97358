"""Run BVlain (the reference BVSE tool, ../shared/tools/bvlain, MIT) on CIFs and time it, so that benchmarks compare
speeds measured in the same run on the same machine. Prints one JSON line per file:
{"file", "seconds", "E_1D", "E_2D", "E_3D", "error"}.
usage: PYTHONPATH=../shared/tools/bvlain /usr/bin/python3 scripts/bvlain-time.py --resolution 0.2 a.cif b.cif …"""
import json, sys, time, warnings

warnings.filterwarnings("ignore")
args = sys.argv[1:]
resolution = 0.2
if args[:1] == ["--resolution"]:
    resolution = float(args[1]); args = args[2:]
from bvlain import Lain  # noqa: E402

for path in args:
    row = {"file": path}
    try:
        t0 = time.perf_counter()
        calc = Lain(verbose=False)
        calc.read_file(path)
        calc.bvse_distribution(mobile_ion="Li1+", r_cut=10.0, resolution=resolution, k=100)
        e = calc.percolation_barriers(encut=5.0)
        row["seconds"] = time.perf_counter() - t0
        for k in ("E_1D", "E_2D", "E_3D"):
            v = float(e[k]); row[k] = v if v == v and v != float("inf") else None
    except Exception as exc:  # BVlain fails on many disordered CIFs; that is a result to report, not a crash
        row["error"] = f"{type(exc).__name__}: {exc}"[:300]
    print(json.dumps(row), flush=True)
