#!/usr/bin/env python3
"""The benchmark jobs of tapetrain in the systems it is compared with (issue 15).

Run by dev.tapetrain.benchmarks.PeerBenchmark when TAPETRAIN_PYTHON names an interpreter with
numpy (and optionally tensorflow, torch); never needed by the build or the tests.

    python3 peers.py SYSTEM N STEPS [linear]
    python3 peers.py SYSTEM N STEPS softmax|mlp JOB_DIR

fits y = W*x + B to N samples of y = 3x + 2 + noise (float64, full batch, W0=5, B0=10, lr=0.01)
for STEPS steps and prints one JSON line: {"system", "n", "steps", "loop_seconds",
"median_step_ms", "w", "b"}. With softmax or mlp it trains instead the model PeerBenchmark
wrote into JOB_DIR (PeerData: tapetrain's own synthetic samples and initial parameters, the
learning rate): softmax cross-entropy from x·w + b, or one tanh hidden layer with a linear
output and squared error; plain full-batch SGD, float64; it prints "loss" instead of "w" and
"b": the loss after the last update, computed with numpy from each system's final parameters
(as tapetrain's summary.json "loss"), which PeerBenchmark compares with tapetrain's.
loop_seconds counts every step, the first included (as tapetrain's train_seconds does);
median_step_ms is the median step of the second half (as PeerBenchmark takes tapetrain's);
set-up, imports and reading the data are not counted. The model jobs give PyTorch both cores
(torch.set_num_threads(2)), as numpy's BLAS and TensorFlow take them by default; the linear
jobs keep one thread.
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


def report(system, n, steps, seconds, step_times, **results):
    # step_times in step order; the median is over the second half, as tapetrain's.
    second_half = sorted(step_times[len(step_times) // 2:])
    out = {"system": system, "n": n, "steps": steps, "loop_seconds": seconds,
           "median_step_ms": 1e3 * second_half[len(second_half) // 2]}
    out.update({k: float(v) for k, v in results.items()})
    print(json.dumps(out))


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
    report("numpy", n, steps, time.perf_counter() - start, times, w=w, b=b)


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
           w=w.numpy(), b=b.numpy())


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
    report("torch", n, steps, time.perf_counter() - start, times, w=w.item(), b=b.item())


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
    report("torch-ddp", n, steps, seconds, times, w=w, b=b)


def load(directory):
    """The job PeerBenchmark wrote (PeerData): data, initial parameters, learning rate."""
    import numpy as np
    with open(os.path.join(directory, "job.json")) as f:
        job = json.load(f)
    n, features = job["n"], job["features"]
    x = np.fromfile(os.path.join(directory, "x.f64"), dtype="<f8").reshape(n, features)
    y = np.fromfile(os.path.join(directory, "y.f64"), dtype="<f8")
    params = [np.array(p["values"], dtype=np.float64).reshape(p["shape"]) for p in job["params"]]
    return job, x, y, params


def numpy_loss(job, params, x, y):
    """tapetrain's loss at params (mean over the samples), the one check of every peer."""
    import numpy as np
    if job["model"] == "softmax":
        z = x @ params[0] + params[1]
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return float((lse - z[np.arange(len(y)), y.astype(np.int64)]).mean())
    e = (np.tanh(x @ params[0] + params[1]) @ params[2] + params[3])[:, 0] - y
    return float((e * e).mean())


def timed(steps, step):
    times = []
    start = time.perf_counter()
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return time.perf_counter() - start, times


def report_model(system, job, x, y, steps, seconds, times, final):
    # The final loss from the final parameters, computed the same way for every peer (numpy,
    # outside the timed loop), as tapetrain's summary.json "loss" is: after the last update.
    loss = numpy_loss(job, [p.astype("float64") for p in final], x, y)
    report(system, job["n"], steps, seconds, times, loss=loss)


def run_numpy_model(directory, steps):
    import numpy as np
    job, x, y, params = load(directory)
    n, lr = len(y), job["learning_rate"]
    rows, labels = np.arange(n), y.astype(np.int64)

    def softmax_step():
        w, b = params
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[rows, labels] -= 1.0
        dz = p / n
        params[0], params[1] = w - lr * (x.T @ dz), b - lr * dz.sum(0)

    def mlp_step():
        w1, b1, w2, b2 = params
        h = np.tanh(x @ w1 + b1)
        dp = (2.0 / n) * (h @ w2 + b2 - y[:, None])
        dw2, db2 = h.T @ dp, dp.sum(0)
        dz = (dp @ w2.T) * (1.0 - h * h)
        params[:] = [w1 - lr * (x.T @ dz), b1 - lr * dz.sum(0), w2 - lr * dw2, b2 - lr * db2]

    seconds, times = timed(steps, softmax_step if job["model"] == "softmax" else mlp_step)
    report_model("numpy", job, x, y, steps, seconds, times, params)


def run_tf_model(directory, steps, xla):
    import tensorflow as tf
    job, xs, ys, init = load(directory)
    lr = job["learning_rate"]
    x = tf.constant(xs)
    params = [tf.Variable(v) for v in init]
    if job["model"] == "softmax":
        labels = tf.constant(ys.astype("int64"))

        def loss_fn():
            return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=labels, logits=x @ params[0] + params[1]))
    else:
        y = tf.constant(ys.reshape(-1, 1))

        def loss_fn():
            h = tf.tanh(x @ params[0] + params[1])
            return tf.reduce_mean(tf.square(h @ params[2] + params[3] - y))

    @tf.function(jit_compile=xla)
    def step():
        with tf.GradientTape() as tape:
            loss = loss_fn()
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(lr * g)
        return loss

    seconds, times = timed(steps, step)
    report_model("tf-xla" if xla else "tf-function", job, xs, ys, steps, seconds, times,
                 [p.numpy() for p in params])


def run_torch_model(directory, steps):
    import torch
    import torch.nn.functional as fn
    torch.set_num_threads(2)  # both cores, as every system in these jobs
    job, xs, ys, init = load(directory)
    lr = job["learning_rate"]
    x = torch.from_numpy(xs)
    params = [torch.from_numpy(v.copy()).requires_grad_() for v in init]
    if job["model"] == "softmax":
        labels = torch.from_numpy(ys.astype("int64"))

        def loss_fn():
            return fn.cross_entropy(x @ params[0] + params[1], labels)
    else:
        y = torch.from_numpy(ys)

        def loss_fn():
            z = torch.tanh(x @ params[0] + params[1]) @ params[2] + params[3]
            return ((z[:, 0] - y) ** 2).mean()

    def step():
        grads = torch.autograd.grad(loss_fn(), params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * g

    seconds, times = timed(steps, step)
    report_model("torch", job, xs, ys, steps, seconds, times,
                 [p.detach().numpy() for p in params])


MODEL_PEERS = {
    "numpy": run_numpy_model,
    "tf-function": lambda d, steps: run_tf_model(d, steps, False),
    "tf-xla": lambda d, steps: run_tf_model(d, steps, True),
    "torch": run_torch_model,
}


# The linear jobs in each system (the models' are MODEL_PEERS).
JOBS = {
    "linear": {
        "numpy": run_numpy,
        "tf-function": lambda n, steps: run_tf(n, steps, False),
        "tf-xla": lambda n, steps: run_tf(n, steps, True),
        "torch": run_torch,
        "torch-ddp": run_torch_ddp,
    },
}


def main():
    system, n, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    model = sys.argv[4] if len(sys.argv) > 4 else "linear"
    if model != "linear":
        run = MODEL_PEERS.get(system)
        if run is None or len(sys.argv) < 6:
            sys.exit("%s: needs a job directory and one of %s" % (model, ", ".join(MODEL_PEERS)))
        run(sys.argv[5], steps)
        return
    job = JOBS.get(model, {}).get(system)
    if job is None:
        sys.exit("no %s job for %s (models: %s)" % (model, system, ", ".join(JOBS)))
    job(n, steps)


if __name__ == "__main__":
    main()
