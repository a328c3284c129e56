"""RigReady GPU load probe: a dense matmul loop and a device-memory copy loop on one GPU.

Speaks the line protocol in PROTOCOL.md on stdout (lines prefixed with "@rigready "). Exits when stdin
reaches end of file, so it never outlives the process that started it.
"""

import argparse
import json
import os
import platform
import sys
import threading
import time

PREFIX = "@rigready "


def emit(obj):
    sys.stdout.write(PREFIX + json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def watch_stdin():
    # The parent keeps our stdin open; end of file means it is gone (or wants us gone): stop at once.
    def run():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def parse_args(argv):
    p = argparse.ArgumentParser(description="RigReady GPU load probe")
    p.add_argument("--hello", action="store_true")
    p.add_argument("--device", type=int, default=0)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--phases", default="matmul,copy")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--n", type=int, default=8192)
    p.add_argument("--copy-bytes", type=int, default=1 << 30)
    p.add_argument("--sample-s", type=float, default=1.0)
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    watch_stdin()
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install raising something else
        emit({"type": "hello", "protocol": 1, "python": platform.python_version(), "torch": None,
              "runtime": None, "devices": []})
        emit({"type": "unavailable", "reason": "torch-missing", "detail": str(e)})
        return 0

    kind = None
    devices = []
    if torch.cuda.is_available():
        kind = "cuda"
        for i in range(torch.cuda.device_count()):
            prop = torch.cuda.get_device_properties(i)
            devices.append({"index": i, "name": prop.name, "memoryTotalBytes": int(prop.total_memory),
                            "capability": "%d.%d" % (prop.major, prop.minor)})
        runtime = ("hip " + torch.version.hip) if getattr(torch.version, "hip", None) else (
            "cuda " + str(torch.version.cuda))
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        kind = "mps"
        devices.append({"index": 0, "name": "Apple GPU (MPS)", "memoryTotalBytes": None, "capability": None})
        runtime = "mps"
    else:
        runtime = None
    emit({"type": "hello", "protocol": 1, "python": platform.python_version(), "torch": torch.__version__,
          "runtime": runtime, "devices": devices})
    if args.hello:
        return 0
    if kind is None:
        emit({"type": "unavailable", "reason": "no-device",
              "detail": "torch %s sees no CUDA, ROCm or MPS device" % torch.__version__})
        return 0
    if args.device < 0 or args.device >= len(devices):
        emit({"type": "unavailable", "reason": "bad-device",
              "detail": "device %d not among %d visible" % (args.device, len(devices))})
        return 0

    dev = torch.device("cuda:%d" % args.device if kind == "cuda" else "mps")
    sync = (lambda: torch.cuda.synchronize(dev)) if kind == "cuda" else torch.mps.synchronize
    dtype = getattr(torch, args.dtype)
    phases = [p for p in args.phases.split(",") if p in ("matmul", "copy")]
    weights = {"matmul": 2.0, "copy": 1.0}
    total_w = sum(weights[p] for p in phases) or 1.0

    for phase in phases:
        seconds = args.seconds * weights[phase] / total_w
        if phase == "matmul":
            n = args.n
            a = torch.randn(n, n, device=dev, dtype=dtype)
            b = torch.randn(n, n, device=dev, dtype=dtype)
            c = torch.empty(n, n, device=dev, dtype=dtype)
            emit({"type": "phase", "phase": "matmul", "device": args.device, "dtype": args.dtype, "n": n})
            flop = 2.0 * n * n * n

            def step():
                torch.matmul(a, b, out=c)
        else:
            total = devices[args.device]["memoryTotalBytes"]
            nbytes = args.copy_bytes if not total else min(args.copy_bytes, total // 8)
            elems = max(1, nbytes // 4)
            src = torch.ones(elems, device=dev, dtype=torch.float32)
            dst = torch.empty_like(src)
            nbytes = elems * 4
            emit({"type": "phase", "phase": "copy", "device": args.device, "dtype": "float32", "bytes": nbytes})
            flop = 2.0 * nbytes  # bytes moved per copy: read + write

            def step():
                dst.copy_(src)

        step()  # warm-up: kernel selection, allocation
        sync()
        start = time.perf_counter()
        last = start
        done_since = 0
        iterations = 0
        batch = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(batch):
                step()
            sync()
            now = time.perf_counter()
            iterations += batch
            done_since += batch
            # Batches of about a twentieth of a sample keep synchronisation overhead out of the rate.
            if now - t0 < args.sample_s / 40:
                batch = min(batch * 2, 4096)
            elif now - t0 > args.sample_s / 10 and batch > 1:
                batch //= 2
            if now - last >= args.sample_s:
                rate = done_since * flop / (now - last)
                key = "tflops" if phase == "matmul" else "gbps"
                emit({"type": "sample", "phase": phase, "device": args.device, "t": round(now - start, 3),
                      key: rate / 1e12 if phase == "matmul" else rate / 1e9})
                last = now
                done_since = 0
            if now - start >= seconds:
                break
        emit({"type": "result", "phase": phase, "device": args.device, "iterations": iterations,
              "seconds": round(time.perf_counter() - start, 3)})
    emit({"type": "done"})
    return 0


if __name__ == "__main__":
    # os._exit, not sys.exit: the stdin watcher thread is blocked in a read, and a normal interpreter
    # shutdown would wait on its buffer lock.
    try:
        code = main(sys.argv[1:])
    except SystemExit as e:  # argparse: usage errors
        code = e.code if isinstance(e.code, int) else 2
    except BaseException as e:  # report, then fail: the probe stops all load on a tool failure
        emit({"type": "error", "detail": "%s: %s" % (type(e).__name__, e)})
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
