/**
 * Materialises a peer-fixture tree (symlinks and empty dirs restored) for tests; see src-main/node/bench/peer-tree.ts.
 */
import { materializeTree, type PeerTree } from '../../src-main/node/bench/peer-tree'
import { PEER_ROOT } from './peer-fixtures'

export type { PeerTree }

/** Copies `PEER_ROOT/<rel>` into a temp dir with symlinks and empty dirs restored. */
export function materializePeerTree(rel: string): Promise<PeerTree> {
  return materializeTree(PEER_ROOT, rel)
}
