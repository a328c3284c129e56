/**
 * Renderer entry: mounts the app.
 */
import { mount } from 'svelte'
import 'uplot/dist/uPlot.min.css'
import './app.css'
import App from './App.svelte'
import { createBridge } from './lib/bridge'

mount(App, { target: document.getElementById('app')!, props: { bridge: createBridge() } })
