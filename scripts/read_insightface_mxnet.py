"""Read a ``morphgen export --to insightface`` folder the way arcface_torch does, with mxnet.

Run with an interpreter that has mxnet (it needs numpy < 2, so not morphgen's own env):
``python scripts/read_insightface_mxnet.py EXPORT_DIR`` prints one JSON line: the header
record's labels, each image record's label and decoded shape, each identity range, and
the number of records a sequential (index-free) read finds, and, when ``val.bin`` exists,
its pair count, same-pair count and decoded image shapes as arcface_torch's ``load_bin``
reads them. tests/test_export.py runs it
when MORPHGEN_MXNET_PYTHON names such an interpreter.
"""

import json
import os
import pickle
import sys

import numpy as np

if not hasattr(np, "bool"):
    np.bool = bool  # mxnet 1.9 still uses the alias numpy 1.24 removed
import mxnet as mx  # noqa: E402


def main(directory: str) -> None:
    rec = mx.recordio.MXIndexedRecordIO(f"{directory}/train.idx", f"{directory}/train.rec", "r")
    header, _ = mx.recordio.unpack(rec.read_idx(0))
    first, end = int(header.label[0]), int(header.label[1])
    images = []
    for i in range(1, first):
        h, data = mx.recordio.unpack(rec.read_idx(i))
        images.append([float(h.label), list(mx.image.imdecode(data).shape)])
    ranges = []
    for i in range(first, end):
        h, _ = mx.recordio.unpack(rec.read_idx(i))
        ranges.append([int(h.label[0]), int(h.label[1])])
    sequential, n = mx.recordio.MXRecordIO(f"{directory}/train.rec", "r"), 0
    while sequential.read() is not None:
        n += 1
    out = {"flag": int(header.flag), "header": [first, end], "images": images}
    out.update(ranges=ranges, sequential=n)
    if os.path.exists(f"{directory}/val.bin"):
        with open(f"{directory}/val.bin", "rb") as fh:
            bins, issame = pickle.load(fh, encoding="bytes")
        shapes = sorted({tuple(mx.image.imdecode(b).shape) for b in bins})
        out["val"] = [len(issame), int(sum(issame)), [list(s) for s in shapes]]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
