/**
 * Renderer entry: mounts the app, or the performance harness with `?perf=1`.
 */
import { mount } from 'svelte'
import 'uplot/dist/uPlot.min.css'
import './app.css'
import App from './App.svelte'
import { createBridge } from './lib/bridge'

const target = document.getElementById('app')!
const params = new URLSearchParams(location.search)

if (params.get('perf') === '1') {
  // Test hook for the performance test only; absent from normal use.
  void import('./lib/perf/perf-harness').then((m) => m.installPerfHarness(target))
} else {
  mount(App, { target, props: { bridge: createBridge() } })
}
