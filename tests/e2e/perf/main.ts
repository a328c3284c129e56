/// <reference lib="dom" />
/**
 * Entry of the performance page (built by tests/helpers/perf-page.ts for the browser tests only).
 */
import 'uplot/dist/uPlot.min.css'
import { installPerfHarness } from './perf-harness'

installPerfHarness(document.getElementById('app')!)
