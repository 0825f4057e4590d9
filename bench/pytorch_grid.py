"""PyTorch peer of the grid benchmark (grid-epoch.ts): the same model, optimizer and subsets.

Flatten -> 3x Linear(units)+ReLU -> BatchNorm1d -> 3x Linear(units)+ReLU -> Dropout(0.25)
-> Linear(10), cross-entropy on the logits (the fused softmax), Adam(lr 1e-3, eps 1e-7),
BatchNorm with Keras' momentum 0.99 (PyTorch's 0.01) and epsilon 1e-3. One core: torch's own
pool at 1 thread and OpenBLAS at 1 thread (Debian's OpenBLAS keeps its own pool otherwise).

Usage: OPENBLAS_NUM_THREADS=1 python3 pytorch_grid.py <units>,<batch>,<samples> ... [--repeats N]
Prints one JSON line per cell: {units, batch, samples, wallSeconds, cpuSeconds, stepCpuSeconds,
productCpuSeconds, torch, blas}: productCpuSeconds is the step's matrix products, each timed alone
on its shape as grid-epoch.ts times gradscope's (grid-model.ts stepProducts); blas is the BLAS
shared library this process mapped after its first product (Debian's torch goes through
libblas.so.3, which is OpenBLAS only when libopenblas0-pthread is installed, and otherwise the
reference BLAS, several times slower). The machine is shared, so the CPU time of this process
(time.process_time) is the figure compared: wall time includes the time other processes held the
core.
"""
import gzip
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

DATA_DIR = os.environ.get("GRADSCOPE_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(name, offset):
    path = os.path.join(DATA_DIR, name)
    opener = gzip.open if os.path.exists(path) else open
    with opener(path if os.path.exists(path) else path[: -len(".gz")], "rb") as f:
        raw = f.read()
    return torch.frombuffer(bytearray(raw[offset:]), dtype=torch.uint8)


def loaded_blas():
    """The BLAS (or OpenBLAS) shared library mapped into this process, from /proc/self/maps."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if len(line.split()) >= 6}
    except OSError:
        return "unknown (no /proc/self/maps)"
    blas = sorted(p for p in paths if "blas" in os.path.basename(p).lower())
    return " + ".join(os.path.realpath(p) for p in blas) or "none found (torch's own kernels?)"


def build(units):
    layers = [torch.nn.Flatten()]
    width = 28 * 28
    for i in range(6):
        if i == 3:
            layers.append(torch.nn.BatchNorm1d(width, momentum=0.01, eps=1e-3))
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        width = units
    layers += [torch.nn.Dropout(0.25), torch.nn.Linear(width, 10)]
    return torch.nn.Sequential(*layers)


def epoch(model, optimizer, x, y, batch):
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, x.shape[0], batch):
        idx = order[start : start + batch]
        # Scaled per batch, as gradscope converts its byte images batch by batch.
        xb = x[idx].float() / 255.0
        optimizer.zero_grad()
        loss = loss_fn(model(xb), y[idx])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started, time.process_time() - cpu


def step_products(units, batch):
    """The (a, b) operand pairs of one training step's products, as grid-model.ts lists them."""
    widths = [28 * 28] + [units] * 6 + [10]
    pairs = []
    for layer in range(len(widths) - 1):
        inputs, outputs = widths[layer], widths[layer + 1]
        x, w = torch.randn(batch, inputs), torch.randn(inputs, outputs)
        grad = torch.randn(batch, outputs)
        pairs.append((x, w))  # forward x·W
        pairs.append((x.t(), grad))  # kernel gradient xᵀ·∂L/∂z, a transposed view
        if layer > 0:
            pairs.append((grad, w.t()))  # input gradient ∂L/∂z·Wᵀ
    return pairs


def product_seconds(units, batch, trials=10, trial_seconds=0.02):
    """CPU seconds of the step's products, each the best of `trials` trials of repeated calls."""
    total = 0.0
    for a, b in step_products(units, batch):
        out = torch.empty(a.shape[0], b.shape[1])
        torch.mm(a, b, out=out)
        best = float("inf")
        for _ in range(trials):
            calls, start = 0, time.process_time()
            while time.process_time() - start < trial_seconds:
                torch.mm(a, b, out=out)
                calls += 1
            best = min(best, (time.process_time() - start) / calls)
        total += best
    return total


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    args = sys.argv[1:]
    repeats = 3
    if "--repeats" in args:
        i = args.index("--repeats")
        repeats = int(args[i + 1])
        del args[i : i + 2]
    images = read_idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    labels = read_idx("train-labels-idx1-ubyte.gz", 8).long()
    blas = loaded_blas()
    if "openblas" not in blas.lower():
        print(f"pytorch_grid.py: WARNING: BLAS is {blas}, not OpenBLAS", file=sys.stderr)
    for cell in args:
        units, batch, samples = (int(v) for v in cell.split(","))
        x, y = images[:samples], labels[:samples]
        model = build(units)
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        epoch(model, optimizer, x, y, batch)
        timed = [epoch(model, optimizer, x, y, batch) for _ in range(repeats)]
        steps = -(-samples // batch)
        cpu = [c for _, c in timed]
        out = {
            "units": units,
            "batch": batch,
            "samples": samples,
            "wallSeconds": [w for w, _ in timed],
            "cpuSeconds": cpu,
            "stepCpuSeconds": sorted(cpu)[len(cpu) // 2] / steps,
            "productCpuSeconds": product_seconds(units, batch),
            "torch": torch.__version__,
            "blas": blas,
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
