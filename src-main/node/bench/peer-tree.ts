/**
 * Materialises a peer-fixture sysfs/procfs tree into a temporary directory, as the upstream test suites do
 * when they unpack their archives.
 *
 * A checkout of the peer fixtures may hold symlinks as small text files (symlinks disabled) and lacks the
 * empty directories git cannot track. `FILE-INDEX.tsv` records which paths are symlinks (`symlink -> target`)
 * and `EMPTY-DIRS.txt` lists the empty directories, so the tree is rebuilt faithfully: real relative
 * symlinks (dangling ones included) and the empty dirs of offline CPUs.
 */
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const indexCache = new Map<string, Promise<{ links: Map<string, string>; emptyDirs: string[] }>>()

function loadIndex(
  PEER_ROOT: string
): Promise<{ links: Map<string, string>; emptyDirs: string[] }> {
  let p = indexCache.get(PEER_ROOT)
  if (p) return p
  p = (async () => {
    const links = new Map<string, string>()
    const tsv = await readFile(join(PEER_ROOT, 'FILE-INDEX.tsv'), 'utf8').catch(() => '')
    for (const line of tsv.split('\n')) {
      const [path, kind] = line.split('\t')
      if (path && kind?.startsWith('symlink -> ')) links.set(path, kind.slice('symlink -> '.length))
    }
    const empty = await readFile(join(PEER_ROOT, 'EMPTY-DIRS.txt'), 'utf8').catch(() => '')
    return {
      links,
      emptyDirs: empty
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    }
  })()
  indexCache.set(PEER_ROOT, p)
  return p
}

async function copyTree(
  src: string,
  dst: string,
  rel: string,
  links: Map<string, string>
): Promise<void> {
  await mkdir(dst, { recursive: true })
  for (const name of await readdir(src)) {
    const s = join(src, name)
    const d = join(dst, name)
    const r = `${rel}/${name}`
    const target = links.get(r)
    const st = await lstat(s)
    if (target !== undefined) await symlink(target, d)
    else if (st.isSymbolicLink()) await symlink(await readlink(s), d)
    else if (st.isDirectory()) await copyTree(s, d, r, links)
    else await copyFile(s, d)
  }
}

/** A materialised copy of `PEER_ROOT/<rel>`; call `cleanup()` when done. */
export interface PeerTree {
  root: string
  cleanup(): Promise<void>
}

/** Copies `<peerRoot>/<rel>` (e.g. `prometheus__node_exporter`) into a temp dir with symlinks and empty dirs restored. */
export async function materializeTree(PEER_ROOT: string, rel: string): Promise<PeerTree> {
  const { links, emptyDirs } = await loadIndex(PEER_ROOT)
  const root = await mkdtemp(join(tmpdir(), 'rigready-peer-'))
  await copyTree(join(PEER_ROOT, rel), root, rel, links)
  for (const dir of emptyDirs) {
    if (dir.startsWith(rel + '/'))
      await mkdir(join(root, dir.slice(rel.length + 1)), { recursive: true })
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) }
}
