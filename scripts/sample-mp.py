#!/usr/bin/env python3
"""Draw the Materials Project sample used for Ξ(TensorNet-MatPES) against BVSE (issue 12; docs/VALIDATION.md) and
extract its CIFs from ../shared/data/mp-li/structures.tar.xz (Materials Project, CC BY 4.0) into a folder.

Small cells only, because the frozen-framework scan costs seconds to minutes per structure on a CPU:
  sample A: 240 structures, seed 20261201, from n_sites <= 10, no H, >= 2 elements;
  sample B: 200 structures, seed 20261202, from n_sites <= 10, no H, with an anion column (not in A).
Sample A turned out mostly metallic (no charges for BVSE), hence B. The comparison then uses the structures that
BVSE computes (`ionpath rank --method bvse`), ranked with `--method mlip` in file-name order as time allows:

  /usr/bin/python3 scripts/sample-mp.py /tmp/mp-sample          # writes /tmp/mp-sample/{A,B}/*.cif
  node dist/cli.js rank /tmp/mp-sample --method bvse --json-out bvse.json
  (copy the BVSE-computable files into one folder, then)
  node dist/cli.js rank <folder> --method mlip --json-out mlip.json --cache mlip-cache.json   # resumable
  node out/scripts/compare-xi-mp.js bvse.json mlip.json
"""
import csv
import os
import random
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, '..', '..', 'shared', 'data', 'mp-li')
out = sys.argv[1] if len(sys.argv) > 1 else 'mp-sample'
rows = list(csv.DictReader(open(os.path.join(shared, 'manifest.csv'))))
small = [r for r in rows if int(r['n_sites']) <= 10 and r['has_H'] == 'False']
pool_a = [r for r in small if int(r['n_elements']) >= 2]
random.seed(20261201)
a = random.sample(pool_a, 240)
taken = {r['id'] for r in a}
pool_b = [r for r in small if r['anions'] and r['id'] not in taken]
random.seed(20261202)
b = random.sample(pool_b, 200)
for name, sample in (('A', a), ('B', b)):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    members = [f"mp-li/{r['id']}.cif" for r in sample]
    subprocess.run(['tar', '-C', d, '-xJf', os.path.join(shared, 'structures.tar.xz'), '--strip-components=1', *members], check=True)
    print(f'sample {name}: {len(sample)} CIFs in {d}')
