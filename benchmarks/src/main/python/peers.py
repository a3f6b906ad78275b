#!/usr/bin/env python3
"""The benchmark jobs of tapetrain in the systems it is compared with (issue 15).

Run by dev.tapetrain.benchmarks.PeerBenchmark when TAPETRAIN_PYTHON names an interpreter with
numpy (and optionally tensorflow, torch); never needed by the build or the tests.

    python3 peers.py SYSTEM N STEPS [MODEL]

fits y = W*x + B to N samples of y = 3x + 2 + noise (float64, full batch, W0=5, B0=10,
lr=0.01) for STEPS steps and prints one JSON line: {"system", "n", "steps", "loop_seconds",
"median_step_ms", "w", "b"}. MODEL mlp fits tapetrain's built-in MLP to the same data instead:
one feature, 16 tanh units, one linear output, squared error, Glorot-uniform weights, zero
biases, plain SGD at lr=0.01 (numpy, tf-function, tf-xla, torch); "w" and "b" are then the
final loss. loop_seconds counts every step, the first included (as
tapetrain's train_seconds does); median_step_ms is the median step of the second half (as
PeerBenchmark takes tapetrain's); set-up, imports and data generation are not counted.
SYSTEM: numpy | tf-function | tf-xla | torch | torch-ddp (2 processes on loopback, gloo).
"""
import json
import os
import sys
import time


def data(n):
    import numpy as np
    rng = np.random.default_rng(42)
    x = rng.standard_normal(n)
    y = 3.0 * x + 2.0 + rng.standard_normal(n)
    return x, y


def report(system, n, steps, seconds, step_times, w, b):
    # step_times in step order; the median is over the second half, as tapetrain's.
    second_half = sorted(step_times[len(step_times) // 2:])
    print(json.dumps({"system": system, "n": n, "steps": steps, "loop_seconds": seconds,
                      "median_step_ms": 1e3 * second_half[len(second_half) // 2],
                      "w": float(w), "b": float(b)}))


def run_numpy(n, steps):
    x, y = data(n)
    w, b, lr = 5.0, 10.0, 0.01
    times = []
    start = time.perf_counter()
    for _ in range(steps):
        t = time.perf_counter()
        e = w * x + b - y
        dw = 2.0 * (e * x).mean()
        db = 2.0 * e.mean()
        w -= lr * dw
        b -= lr * db
        times.append(time.perf_counter() - t)
    report("numpy", n, steps, time.perf_counter() - start, times, w, b)


def run_tf(n, steps, xla):
    import tensorflow as tf
    xs, ys = data(n)
    x = tf.constant(xs)
    y = tf.constant(ys)
    w = tf.Variable(5.0, dtype=tf.float64)
    b = tf.Variable(10.0, dtype=tf.float64)

    @tf.function(jit_compile=xla)
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(w * x + b - y))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(0.01 * dw)
        b.assign_sub(0.01 * db)
        return loss

    times = []
    start = time.perf_counter()
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    report("tf-xla" if xla else "tf-function", n, steps, time.perf_counter() - start, times,
           w.numpy(), b.numpy())


def run_torch(n, steps):
    import torch
    torch.set_num_threads(1)
    xs, ys = data(n)
    x = torch.from_numpy(xs)
    y = torch.from_numpy(ys)
    w = torch.tensor(5.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
    times = []
    start = time.perf_counter()
    for _ in range(steps):
        t = time.perf_counter()
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
            w.grad.zero_()
            b.grad.zero_()
        times.append(time.perf_counter() - t)
    report("torch", n, steps, time.perf_counter() - start, times, w.item(), b.item())


def ddp_rank(rank, world, n, steps, port, out):
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    xs, ys = data(n)
    lo, hi = rank * n // world, (rank + 1) * n // world
    x = torch.from_numpy(xs[lo:hi])
    y = torch.from_numpy(ys[lo:hi])
    model = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        model.weight.fill_(5.0)
        model.bias.fill_(10.0)
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.01)
    share = (hi - lo) * world / n  # DDP averages per-rank gradients: weight by the row share
    times = []
    dist.barrier()
    start = time.perf_counter()
    for _ in range(steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = ((ddp(x.unsqueeze(1)).squeeze(1) - y) ** 2).mean() * share
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t)
    seconds = time.perf_counter() - start
    if rank == 0:
        out.put((seconds, times, model.weight.item(), model.bias.item()))
        out.close()
        out.join_thread()  # the queue's feeder thread must deliver before os._exit
    dist.destroy_process_group()
    os._exit(0)  # gloo sometimes aborts in its own exit handlers


def run_torch_ddp(n, steps):
    import multiprocessing as mp
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=ddp_rank, args=(r, 2, n, steps, port, out)) for r in range(2)]
    for p in procs:
        p.start()
    seconds, times, w, b = out.get(timeout=600)
    for p in procs:
        p.join(60)
    report("torch-ddp", n, steps, seconds, times, w, b)


HIDDEN = 16


def mlp_weights(seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    lim1 = (6.0 / (1 + HIDDEN)) ** 0.5
    lim2 = (6.0 / (HIDDEN + 1)) ** 0.5
    return (rng.uniform(-lim1, lim1, (1, HIDDEN)), np.zeros(HIDDEN),
            rng.uniform(-lim2, lim2, (HIDDEN, 1)), np.zeros(1))


def timed(steps, step):
    times = []
    start = time.perf_counter()
    loss = None
    for _ in range(steps):
        t = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t)
    return time.perf_counter() - start, times, float(loss)


def run_numpy_mlp(n, steps):
    import numpy as np
    xs, ys = data(n)
    x, y = xs.reshape(n, 1), ys.reshape(n, 1)
    w1, b1, w2, b2 = mlp_weights()

    def step():
        nonlocal w1, b1, w2, b2
        h = np.tanh(x @ w1 + b1)
        e = h @ w2 + b2 - y
        dp = (2.0 / n) * e
        dw2, db2 = h.T @ dp, dp.sum(0)
        dz = (dp @ w2.T) * (1.0 - h * h)
        dw1, db1 = x.T @ dz, dz.sum(0)
        w1, b1, w2, b2 = w1 - 0.01 * dw1, b1 - 0.01 * db1, w2 - 0.01 * dw2, b2 - 0.01 * db2
        return (e * e).mean()

    seconds, times, loss = timed(steps, step)
    report("numpy", n, steps, seconds, times, loss, loss)


def run_tf_mlp(n, steps, xla):
    import tensorflow as tf
    xs, ys = data(n)
    x, y = tf.constant(xs.reshape(n, 1)), tf.constant(ys.reshape(n, 1))
    params = [tf.Variable(v) for v in mlp_weights()]

    @tf.function(jit_compile=xla)
    def step():
        with tf.GradientTape() as tape:
            h = tf.tanh(x @ params[0] + params[1])
            loss = tf.reduce_mean(tf.square(h @ params[2] + params[3] - y))
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.01 * g)
        return loss

    seconds, times, loss = timed(steps, step)
    report("tf-xla" if xla else "tf-function", n, steps, seconds, times, loss, loss)


def run_torch_mlp(n, steps):
    import torch
    torch.set_num_threads(1)
    xs, ys = data(n)
    x, y = torch.from_numpy(xs.reshape(n, 1)), torch.from_numpy(ys.reshape(n, 1))
    params = [torch.from_numpy(v).requires_grad_() for v in mlp_weights()]

    def step():
        h = torch.tanh(x @ params[0] + params[1])
        loss = ((h @ params[2] + params[3] - y) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= 0.01 * g
        return loss.item()

    seconds, times, loss = timed(steps, step)
    report("torch", n, steps, seconds, times, loss, loss)


# Each model's job in each system.
JOBS = {
    "linear": {
        "numpy": run_numpy,
        "tf-function": lambda n, steps: run_tf(n, steps, False),
        "tf-xla": lambda n, steps: run_tf(n, steps, True),
        "torch": run_torch,
        "torch-ddp": run_torch_ddp,
    },
    "mlp": {
        "numpy": run_numpy_mlp,
        "tf-function": lambda n, steps: run_tf_mlp(n, steps, False),
        "tf-xla": lambda n, steps: run_tf_mlp(n, steps, True),
        "torch": run_torch_mlp,
    },
}


def main():
    system, n, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    model = sys.argv[4] if len(sys.argv) > 4 else "linear"
    job = JOBS.get(model, {}).get(system)
    if job is None:
        sys.exit("no %s job for %s (models: %s)" % (model, system, ", ".join(JOBS)))
    job(n, steps)


if __name__ == "__main__":
    main()
