/**
 * Context pair for the Bridge, so views can invoke channels without importing a transport.
 */
import { getContext, setContext } from 'svelte'
import type { Bridge } from '../bridge'
import { BRIDGE_KEY } from './context'

/** Provides the bridge to descendants. */
export function setBridge(bridge: Bridge): Bridge {
  return setContext(BRIDGE_KEY, bridge)
}

/** The bridge provided by an ancestor. */
export function getBridge(): Bridge {
  return getContext<Bridge>(BRIDGE_KEY)
}
