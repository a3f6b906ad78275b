#!/usr/bin/env python3
"""One epoch of mini-batch SGD in the systems tapetrain is compared with (issue 26, item 5).

Run by dev.tapetrain.benchmarks.EpochBenchmark when TAPETRAIN_PYTHON names an interpreter with
numpy, torch and tensorflow; never needed by the build or the tests.

    python3 epochs.py SYSTEM CSV MODEL BATCH LR [HIDDEN]

reads the CSV EpochBenchmark wrote (header x0..x{F-1},y; float64), trains MODEL for one epoch
of shuffled mini-batches of BATCH samples with plain SGD at LR, and prints one JSON line:
{"system", "model", "n", "steps", "loop_seconds", "loss"}. loop_seconds is the epoch's loop
(imports, reading the CSV, building the model and DDP's process start excluded); loss is the
mean loss over every sample at the final parameters (as tapetrain's summary.json "loss").
MODEL: logistic (binary cross-entropy from logits), softmax (3 classes, sparse softmax
cross-entropy), mlp (one tanh hidden layer of HIDDEN units, one output, mean squared error).
Logistic and softmax start at zeros as tapetrain's; the MLP's weights are Glorot-uniform from
numpy's generator (not tapetrain's draws), biases zero. float64 throughout.
SYSTEM: torch (one process, one thread) | torch-ddp (2 processes, gloo, one thread each, each
rank half of every global batch, DistributedSampler's split) | keras (model.fit(batch_size,
epochs=1, shuffle=True), float64). Each system shuffles with its own generator.
"""
import json
import os
import sys
import time


def load(path):
    import numpy as np
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return a[:, :-1].copy(), a[:, -1].copy()


def shapes(model, f, hidden):
    return {"logistic": (f, 1), "softmax": (f, 3), "mlp": (f, hidden)}[model]


def init(model, f, hidden):
    import numpy as np
    if model == "mlp":
        rng = np.random.default_rng(0)
        a1, a2 = (6.0 / (f + hidden)) ** 0.5, (6.0 / (hidden + 1)) ** 0.5
        return [rng.uniform(-a1, a1, (f, hidden)), np.zeros(hidden),
                rng.uniform(-a2, a2, (hidden, 1)), np.zeros(1)]
    out = 1 if model == "logistic" else 3
    return [np.zeros((f, out)), np.zeros(out)]


def torch_loss(model, params, x, y):
    import torch
    import torch.nn.functional as fn
    if model == "mlp":
        z = torch.tanh(x @ params[0] + params[1]) @ params[2] + params[3]
        return ((z[:, 0] - y) ** 2).mean()
    z = x @ params[0] + params[1]
    if model == "logistic":
        return fn.binary_cross_entropy_with_logits(z[:, 0], y)
    return fn.cross_entropy(z, y.long())


def report(system, model, n, steps, seconds, loss):
    print(json.dumps({"system": system, "model": model, "n": n, "steps": steps,
                      "loop_seconds": seconds, "loss": float(loss)}), flush=True)


def run_torch(path, model, batch, lr, hidden):
    import torch
    torch.set_num_threads(1)
    xs, ys = load(path)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    params = [torch.from_numpy(p).requires_grad_() for p in init(model, xs.shape[1], hidden)]
    n = len(ys)
    g = torch.Generator().manual_seed(42)
    start = time.perf_counter()
    order = torch.randperm(n, generator=g)
    steps = 0
    for s in range(0, n, batch):
        idx = order[s:s + batch]
        loss = torch_loss(model, params, x[idx], y[idx])
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, d in zip(params, grads):
                p -= lr * d
        steps += 1
    seconds = time.perf_counter() - start
    with torch.no_grad():
        report("torch", model, n, steps, seconds, torch_loss(model, params, x, y))


def ddp_rank(rank, world, path, model, batch, lr, hidden, port, out):
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    xs, ys = load(path)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    module = params_module([torch.from_numpy(p) for p in init(model, xs.shape[1], hidden)], model)
    ddp = torch.nn.parallel.DistributedDataParallel(module)
    opt = torch.optim.SGD(ddp.parameters(), lr=lr)
    n = len(ys)
    g = torch.Generator().manual_seed(42)  # DistributedSampler: seed + epoch, epoch 0
    per_rank = batch // world
    dist.barrier()
    start = time.perf_counter()
    order = torch.randperm(n, generator=g)[rank::world]  # DistributedSampler's split
    steps = 0
    for s in range(0, len(order), per_rank):
        idx = order[s:s + per_rank]
        opt.zero_grad()
        ddp(x[idx], y[idx]).backward()
        opt.step()
        steps += 1
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        with torch.no_grad():
            loss = torch_loss(model, list(module.ps), x, y)
        with open(out, "w") as f:
            json.dump({"steps": steps, "seconds": seconds, "loss": float(loss), "n": n}, f)
    dist.destroy_process_group()


def params_module(tensors, model):
    import torch

    class Params(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = torch.nn.ParameterList([torch.nn.Parameter(t) for t in tensors])

        def forward(self, x, y):
            return torch_loss(model, list(self.ps), x, y)

    return Params()


def ddp_main(rank, world, path, model, batch, lr, hidden, port, out):
    ddp_rank(rank, world, path, model, batch, lr, hidden, port, out)
    os._exit(0)  # gloo occasionally aborts at exit (PEERS.md)


def run_torch_ddp(path, model, batch, lr, hidden):
    import socket
    import tempfile
    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = os.path.join(tempfile.mkdtemp(), "ddp.json")
    mp.spawn(ddp_main, args=(2, path, model, batch, lr, hidden, port, out), nprocs=2)
    with open(out) as f:
        r = json.load(f)
    report("torch-ddp", model, r["n"], r["steps"], r["seconds"], r["loss"])


def run_keras(path, model, batch, lr, hidden):
    import numpy as np
    import keras
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(42)
    xs, ys = load(path)
    f = xs.shape[1]
    inputs = keras.Input((f,), dtype="float64")
    weights = init(model, f, hidden)
    if model == "mlp":
        h = keras.layers.Dense(hidden, activation="tanh")(inputs)
        outputs = keras.layers.Dense(1)(h)
        loss = "mse"
    else:
        outputs = keras.layers.Dense(1 if model == "logistic" else 3)(inputs)
        loss = (keras.losses.BinaryCrossentropy(from_logits=True) if model == "logistic"
                else keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    net = keras.Model(inputs, outputs)
    net.set_weights(weights)
    net.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss)
    target = ys.reshape(-1, 1) if model != "softmax" else ys
    start = time.perf_counter()
    net.fit(xs, target, batch_size=batch, epochs=1, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    final = net.evaluate(xs, target, batch_size=65536, verbose=0)
    steps = -(-len(ys) // batch)
    report("keras", model, len(ys), steps, seconds, final)


def main():
    system, path, model, batch, lr = sys.argv[1:6]
    hidden = int(sys.argv[6]) if len(sys.argv) > 6 else 32
    run = {"torch": run_torch, "torch-ddp": run_torch_ddp, "keras": run_keras}[system]
    run(path, model, int(batch), float(lr), hidden)


if __name__ == "__main__":
    main()
