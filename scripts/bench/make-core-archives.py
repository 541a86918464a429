"""Write core-ATen versions of the corpus model archives, made by the reference
PyTorch itself: torch.export.load(NAME.pt2).run_decompositions() saved as
OUT/NAME.core.pt2. The CPU runtime's tests run them when PT2_CORE_ARCHIVES=OUT
(default: $TMPDIR/pt2-core) exists, checking the core-ATen IR against torch's
outputs independently of our own run_decompositions().

usage: /tmp/ref/bin/python scripts/bench/make-core-archives.py [MODELS_DIR] [OUT]
"""
import os
import sys
import tempfile

import torch

models = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../../shared/corpus/torch-2.11/models')
out = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('PT2_CORE_ARCHIVES', os.path.join(tempfile.gettempdir(), 'pt2-core'))
os.makedirs(out, exist_ok=True)
for name in sorted(f[:-4] for f in os.listdir(models) if f.endswith('.pt2')):
    ep = torch.export.load(os.path.join(models, name + '.pt2'))
    core = ep.run_decompositions()
    torch.export.save(core, os.path.join(out, name + '.core.pt2'))
    print(f'{name}: {len(core.graph.nodes)} nodes -> {out}/{name}.core.pt2')
