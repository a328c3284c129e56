import { describe, expect, it } from 'vitest'
import {
  RedrawScheduler,
  type FrameApi,
  type ObserverFactory,
  type RedrawTarget
} from '../../../../../src-renderer/src/lib/charts/redraw-scheduler'

type El = RedrawTarget['el']

function setup() {
  const queued = new Map<number, () => void>()
  let next = 1
  const api: FrameApi = {
    request: (cb) => (queued.set(next, cb), next++),
    cancel: (h) => void queued.delete(h)
  }
  const frames = {
    get length() {
      return queued.size
    }
  }
  let report: ((e: { target: El; isIntersecting: boolean }[]) => void) | null = null
  const observer: ObserverFactory = (cb) => {
    report = cb
    return { observe() {}, unobserve() {}, disconnect() {} }
  }
  const scheduler = new RedrawScheduler(api, observer, () => 0)
  const drawn: string[] = []
  const chart = (name: string) => {
    const el = { name } as unknown as El
    scheduler.add({ el, redraw: () => drawn.push(name) })
    return el
  }
  const runFrames = () => {
    const pending = [...queued.values()]
    queued.clear()
    for (const f of pending) f()
  }
  return {
    scheduler,
    chart,
    drawn,
    runFrames,
    frames,
    see: (el: El, on: boolean) => report!([{ target: el, isIntersecting: on }])
  }
}

describe('redraw-scheduler', () => {
  it('redraws each visible chart once per frame however many samples arrived', () => {
    const t = setup()
    const a = t.chart('a')
    const b = t.chart('b')
    t.see(a, true)
    t.see(b, true)
    t.scheduler.invalidateAll()
    t.scheduler.invalidateAll()
    t.scheduler.invalidateAll()
    expect(t.frames.length).toBe(1)
    t.runFrames()
    expect(t.drawn.sort()).toEqual(['a', 'b'])
    expect(t.scheduler.lastFlushCount).toBe(2)
  })

  it('skips off-screen charts and draws them when they come into view', () => {
    const t = setup()
    const a = t.chart('a')
    const b = t.chart('b')
    t.see(a, true)
    t.scheduler.invalidateAll()
    t.runFrames()
    expect(t.drawn).toEqual(['a'])
    t.see(b, true)
    t.runFrames()
    expect(t.drawn).toEqual(['a', 'b'])
    // Nothing new: coming into view again draws nothing.
    t.see(b, false)
    t.see(b, true)
    t.runFrames()
    expect(t.drawn).toEqual(['a', 'b'])
  })

  it('requests no frame when no dirty chart is visible, and resolves waiters after a flush', async () => {
    const t = setup()
    t.chart('hidden')
    t.scheduler.invalidateAll()
    expect(t.frames.length).toBe(0)
    await t.scheduler.whenFlushed()
    const v = t.chart('v')
    t.see(v, true)
    let done = false
    const p = t.scheduler.whenFlushed().then(() => (done = true))
    t.scheduler.invalidateAll()
    t.runFrames()
    await p
    expect(done).toBe(true)
  })

  it('treats charts as visible where no IntersectionObserver exists', () => {
    const frames: (() => void)[] = []
    const s = new RedrawScheduler(
      { request: (cb) => frames.push(cb), cancel: () => {} },
      () => null,
      () => 0
    )
    const drawn: number[] = []
    s.add({ el: {} as El, redraw: () => drawn.push(1) })
    s.invalidateAll()
    frames.splice(0).forEach((f) => f())
    expect(drawn).toEqual([1])
  })
})
