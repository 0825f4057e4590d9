"""Held-out foreign runs for `gradscope diagnose`: small PyTorch models, healthy and faulty,
logged by a real SummaryWriter exactly as the README's PyTorch recipe says. No gradscope code
writes these runs; `node dist/bench/diagnose-foreign.js DIR` scores gradscope's verdicts on
them against the labels this script writes to DIR/labels.json.

Writers: `torch.utils.tensorboard.SummaryWriter` where the `tensorboard` package is importable,
else tensorboardX's (the same event format). torch 1.13's own `add_histogram` fails with
numpy >= 1.24 (`np.greater(..., dtype=np.int32)` in torch/utils/tensorboard/summary.py), so
runs that log histograms use tensorboardX's writer, which PyTorch users also use.

Neither package is a dependency of gradscope: install them for this script only, e.g.
    pip install --target /tmp/tb tensorboard tensorboardX   # then PYTHONPATH=/tmp/tb
Usage: OPENBLAS_NUM_THREADS=1 python3 bench/pytorch_zoo.py OUT_DIR [--update-ratios]
"""
import json
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)

FEATURES, CLASSES, BATCH = 16, 3, 32
HISTOGRAM_EVERY = 20
# Log update_ratio/<name> too (--update-ratios): the learning-rate checks then read the step
# each update made instead of estimating it as learning rate × ‖g‖/‖W‖, which is SGD's step.
UPDATE_RATIOS = "--update-ratios" in sys.argv


def writer_for(logdir, histograms):
    """torch's SummaryWriter for scalar-only runs when it imports; tensorboardX's otherwise."""
    if not histograms:
        try:
            from torch.utils.tensorboard import SummaryWriter

            return SummaryWriter(logdir), "torch.utils.tensorboard"
        except ImportError:
            pass
    from tensorboardX import SummaryWriter

    return SummaryWriter(logdir), "tensorboardX"


def dataset(count, seed, label_noise=0.0):
    """3 classes of 16 Gaussian features labelled by a fixed random linear teacher."""
    teacher = np.random.RandomState(2027).randn(FEATURES, CLASSES)
    rng = np.random.RandomState(seed)
    x = rng.randn(count, FEATURES)
    y = (x @ teacher).argmax(axis=1)
    flip = rng.rand(count) < label_noise
    y[flip] = rng.randint(0, CLASSES, flip.sum())
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def model_for(spec):
    torch.manual_seed(spec["seed"])
    layers, width = [], FEATURES
    for units in spec["hidden"]:
        linear = nn.Linear(width, units)
        if "init_std" in spec:
            nn.init.normal_(linear.weight, 0.0, spec["init_std"])
        if "bias" in spec:
            nn.init.constant_(linear.bias, spec["bias"])
        layers += [linear, ACTIVATIONS[spec["activation"]]()]
        width = units
    layers.append(nn.Linear(width, CLASSES))
    return nn.Sequential(*layers)


def train(spec, out):
    histograms = spec.get("histograms", True)
    writer, kind = writer_for(os.path.join(out, spec["name"]), histograms)
    model = model_for(spec)
    optimizer = (torch.optim.Adam if spec["optimizer"] == "adam" else torch.optim.SGD)(
        model.parameters(), lr=spec["lr"]
    )
    x, y = dataset(spec.get("samples", 512), spec["seed"], spec.get("label_noise", 0.0))
    xv, yv = dataset(256, spec["seed"] + 10000)
    loss_fn = nn.CrossEntropyLoss()
    step = 0
    for epoch in range(spec["epochs"]):
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
        for start in range(0, len(x), BATCH):
            batch = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            # The README's recipe: loss, then per parameter in model order.
            writer.add_scalar("loss", loss.item(), step)
            writer.add_scalar("lr", spec["lr"], step)
            for name, p in model.named_parameters():
                writer.add_scalar(f"grad_norm/{name}", p.grad.norm().item(), step)
                finite = torch.isfinite(p).all() and torch.isfinite(p.grad).all()
                # A histogram of NaNs cannot be binned: the writer raises, so skip it.
                if histograms and step % HISTOGRAM_EVERY == 0 and finite:
                    writer.add_histogram(f"weights/{name}", p.detach().numpy(), step)
                    writer.add_histogram(f"gradients/{name}", p.grad.numpy(), step)
            # The recipe's optional lines: the update each step made, ‖ΔW‖/‖W‖, for any optimizer.
            before = [p.detach().clone() for p in model.parameters()] if UPDATE_RATIOS else []
            optimizer.step()
            for (name, p), old in zip(model.named_parameters(), before):
                ratio = ((p.detach() - old).norm() / old.norm()).item()
                writer.add_scalar(f"update_ratio/{name}", ratio, step)
            step += 1
        with torch.no_grad():
            writer.add_scalar("val_loss", loss_fn(model(xv), yv).item(), step)
    writer.close()
    return kind


def healthy(name, hidden, activation, optimizer, lr, seed, **extra):
    spec = dict(name=name, faults=[], hidden=hidden, activation=activation,
                optimizer=optimizer, lr=lr, epochs=12, seed=seed)
    spec.update(extra)
    return spec


SPECS = [
    healthy("healthy-relu-2-adam", [32, 32], "relu", "adam", 1e-3, 1),
    healthy("healthy-relu-4-adam", [32] * 4, "relu", "adam", 1e-3, 2),
    healthy("healthy-tanh-2-sgd", [32, 32], "tanh", "sgd", 0.05, 3),
    healthy("healthy-sigmoid-1-adam", [32], "sigmoid", "adam", 3e-3, 4),
    healthy("healthy-relu-3-sgd-scalars", [64, 32, 16], "relu", "sgd", 0.05, 5, histograms=False),
    healthy("healthy-relu-2-adam-noisy", [32, 32], "relu", "adam", 3e-3, 6,
            samples=4096, label_noise=0.2, epochs=4),
    *[dict(name=f"vanishing-sigmoid-{d}-sgd", faults=["vanishing_gradient"], hidden=[32] * d,
           activation="sigmoid", optimizer="sgd", lr=0.01, epochs=6, seed=10 + d)
      for d in (8, 10, 12)],
    *[dict(name=f"exploding-init-{s}-relu-{d}", faults=["exploding_gradient"], hidden=[32] * d,
           activation="relu", optimizer="sgd", lr=1e-5, epochs=3, init_std=s, seed=20 + d)
      for d, s in ((8, 0.5), (10, 0.6), (12, 0.45))],
    *[dict(name=f"nan-lr-{lr}-sgd", faults=["nonfinite"], hidden=[32] * 3, activation="relu",
           optimizer="sgd", lr=lr, epochs=3, seed=30 + i)
      for i, lr in enumerate((30, 100, 300))],
    *[dict(name=f"dead-relu-bias-{b}", faults=["dead_relu"], hidden=[32] * 3,
           activation="relu", optimizer="adam", lr=1e-3, epochs=6, bias=b, seed=40 + i)
      for i, b in enumerate((-5, -6, -7))],
    *[dict(name=f"stall-lr-{lr}-sgd", faults=["loss_not_decreasing", "learning_rate_too_low"],
           hidden=[32, 32], activation="relu", optimizer="sgd", lr=lr, epochs=8, seed=50 + i)
      for i, lr in enumerate((1e-7, 1e-8, 3e-9))],
    *[dict(name=f"oscillating-lr-{lr}-adam", faults=["loss_oscillating", "learning_rate_too_high"],
           hidden=[32, 32],
           activation="relu", optimizer="adam", lr=lr, epochs=12, seed=60 + i)
      for i, lr in enumerate((0.05, 0.08, 0.12))],
    *[dict(name=f"overfit-{n}-samples", faults=["overfitting"], hidden=[128, 128],
           activation="relu", optimizer="adam", lr=3e-3, epochs=150, samples=n, label_noise=0.3,
           seed=70 + i)
      for i, n in enumerate((16, 24, 32))],
]


def main():
    args = [a for a in sys.argv[1:] if a != "--update-ratios"]
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    labels = {}
    for spec in SPECS:
        kind = train(spec, out)
        labels[spec["name"]] = {"faults": spec["faults"], "writer": kind}
        print(f"{spec['name']}: {kind}", file=sys.stderr)
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump({"torch": torch.__version__, "updateRatios": UPDATE_RATIOS, "runs": labels}, f,
                  indent=1)


if __name__ == "__main__":
    main()
