#!/usr/bin/env node
// A stand-in for `python3 -c <gpu_probe.py> ARGS` that speaks the GPU probe line protocol
// (resources/probe/PROTOCOL.md) without PyTorch or a GPU, for tests. Behaviour is set by environment:
//   FAKE_TORCH    ok (default) | missing | nodevice
//   FAKE_GPUS     JSON list of devices for `hello` (default: one NVIDIA H100 80GB HBM3)
//   FAKE_TFLOPS   matmul TFLOPS at the start (default 700); it falls 10% over the run (a heating card)
//   FAKE_GBPS     copy GB/s (default 3000)
//   FAKE_SAMPLE_S seconds between samples (default 0.2)
//   FAKE_FAIL     midway: report an error after the first sample and exit 1
//   FAKE_STUBBORN 1: ignore SIGTERM and stdin end (the probe must escalate to SIGKILL)
//   FAKE_PID_DIR  directory to record this process's pid in (a file named after it)
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const env = process.env
const args = process.argv.slice(2)
// The real interpreter is run as `python -c SCRIPT ARGS`: drop the script.
if (args[0] === '-c') args.splice(0, 2)
const arg = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : dflt
}
const emit = (o) => process.stdout.write('@rigready ' + JSON.stringify(o) + '\n')
const stubborn = env.FAKE_STUBBORN === '1'
if (stubborn) process.on('SIGTERM', () => {})
else process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
// Recorded once the signal and stdin handling is in place, so a test that waits for it knows a stubborn
// fake really ignores SIGTERM from then on.
if (env.FAKE_PID_DIR) await writeFile(join(env.FAKE_PID_DIR, String(process.pid)), '')

const torch = env.FAKE_TORCH ?? 'ok'
const devices =
  torch === 'ok'
    ? JSON.parse(
        env.FAKE_GPUS ??
          '[{"index":0,"name":"NVIDIA H100 80GB HBM3","memoryTotalBytes":85899345920,"capability":"9.0"}]'
      )
    : []
process.stdout.write('some library warning on stdout\n')
emit({
  type: 'hello',
  protocol: 1,
  python: '3.11.9',
  torch: torch === 'missing' ? null : '2.4.0',
  runtime: torch === 'missing' ? null : 'cuda 12.4',
  devices
})
if (torch === 'missing') {
  emit({ type: 'unavailable', reason: 'torch-missing', detail: "No module named 'torch'" })
  process.exit(0)
}
if (args.includes('--hello')) process.exit(0)
if (devices.length === 0) {
  emit({
    type: 'unavailable',
    reason: 'no-device',
    detail: 'torch 2.4.0 sees no CUDA, ROCm or MPS device'
  })
  process.exit(0)
}
const device = Number(arg('--device', '0'))
const seconds = Number(arg('--seconds', '2'))
const sampleS = Number(env.FAKE_SAMPLE_S ?? '0.2')
const tflops0 = Number(env.FAKE_TFLOPS ?? '700')
const gbps = Number(env.FAKE_GBPS ?? '3000')
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000))

for (const [phase, share] of [
  ['matmul', 2 / 3],
  ['copy', 1 / 3]
]) {
  emit(
    phase === 'matmul'
      ? {
          type: 'phase',
          phase,
          device,
          dtype: arg('--dtype', 'bfloat16'),
          n: Number(arg('--n', '8192'))
        }
      : { type: 'phase', phase, device, dtype: 'float32', bytes: 1073741824 }
  )
  const total = seconds * share
  let t = 0
  let i = 0
  while (t < total || stubborn) {
    await sleep(sampleS)
    t += sampleS
    i++
    const fraction = Math.min(1, t / Math.max(total, 1e-9))
    emit(
      phase === 'matmul'
        ? { type: 'sample', phase, device, t, tflops: tflops0 * (1 - 0.1 * fraction) }
        : { type: 'sample', phase, device, t, gbps }
    )
    if (env.FAKE_FAIL === 'midway' && i === 1) {
      emit({
        type: 'error',
        detail: 'RuntimeError: CUDA error: an illegal memory access was encountered'
      })
      process.exit(1)
    }
  }
  emit({ type: 'result', phase, device, iterations: i, seconds: t })
}
emit({ type: 'done' })
process.exit(0)
