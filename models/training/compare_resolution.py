"""
0.1 Å vs 0.2 Å grid: |ΔEa(BVSE)| for 1D/2D/3D on the comparison sample (models/gcn/labels-bvse-res0.1.csv, every
15th MP structure of the labelling order) joined with the 0.2 Å labels (models/gcn/labels-bvse.csv).
Usage: /usr/bin/python3 models/training/compare_resolution.py
"""
import csv, statistics as st

def rows(p):
    with open(p) as f:
        return {r['id']: r for r in csv.DictReader(f) if r['status'] == 'ok'}

a, b = rows('models/gcn/labels-bvse.csv'), rows('models/gcn/labels-bvse-res0.1.csv')
ids = sorted(set(a) & set(b))
print(f'{len(ids)} structures labelled at both 0.2 Å and 0.1 Å')
for k in ('Ea_1D', 'Ea_2D', 'Ea_3D'):
    d = [float(b[i][k]) - float(a[i][k]) for i in ids if a[i][k] and b[i][k]]
    both_none = sum(1 for i in ids if not a[i][k] and not b[i][k])
    one_none = sum(1 for i in ids if bool(a[i][k]) != bool(b[i][k]))
    ad = sorted(abs(x) for x in d)
    low = [abs(float(b[i][k]) - float(a[i][k])) for i in ids if a[i][k] and b[i][k] and float(a[i][k]) < 1.0]
    print(f'{k}: n={len(d)} mean Δ(0.1−0.2) {st.mean(d):+.4f} eV, median |Δ| {st.median(ad):.4f}, p90 |Δ| {ad[int(0.9 * (len(ad) - 1))]:.4f}, '
          f'max |Δ| {ad[-1]:.4f} eV; |Δ| median for Ea(0.2) < 1 eV: {st.median(low) if low else float("nan"):.4f} (n={len(low)}); '
          f'path found at one resolution only: {one_none}')
t1 = [int(b[i]['ms']) for i in ids]; t2 = [int(a[i]['ms']) for i in ids]
print(f'time: median {st.median(t2)} ms at 0.2 Å, {st.median(t1)} ms at 0.1 Å')
