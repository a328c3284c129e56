/**
 * Feeds in-memory snapshots to the core session reviewer through the real version-2 codec (encoder, then
 * decoder's value table), exactly as the streaming reader does for a file.
 */
import { SessionReviewer, type SessionReviewOptions } from '../../src-main/core/session-stats'
import {
  ITEM_NODE,
  ITEM_TICK,
  SegmentDecoder,
  SegmentEncoder
} from '../../src-main/node/recorder/codec'
import type { SessionRecord, SessionReview } from '../../src-main/shared/session-format'
import type { Inventory, Snapshot } from '../../src-main/shared/telemetry'

/** Reviews `snapshots` (and `records`, applied after the samples) against `inventory`. */
export function reviewSnapshots(
  snapshots: Snapshot[],
  inventory: Inventory,
  options: SessionReviewOptions & {
    records?: SessionRecord[]
    intervalMs?: number
    throttleRecorded?: boolean
  } = {}
): { review: SessionReview; reviewer: SessionReviewer } {
  const t0 = snapshots[0]?.timestampMs ?? 0
  const reviewer = new SessionReviewer(
    {
      file: 'test.rrs',
      version: 2,
      startedAtMs: t0,
      intervalMs: options.intervalMs ?? 1000,
      inventory,
      throttleRecorded: options.throttleRecorded ?? true,
      alertsRecorded: true
    },
    options
  )
  const enc = new SegmentEncoder(t0)
  const dec = new SegmentDecoder(t0)
  enc.reset()
  reviewer.segment()
  for (const s of snapshots) {
    enc.encodeTick(s)
    dec.decode(enc.takeBytes(), (item) => {
      if (item === ITEM_NODE) reviewer.node(dec.lastNodeId, dec)
      else if (item === ITEM_TICK) reviewer.tick(dec.tMs, dec)
    })
  }
  for (const r of options.records ?? []) reviewer.record(r)
  return { review: reviewer.finish(), reviewer }
}
