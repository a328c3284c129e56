#!/usr/bin/env node
// Generates the versioned JSON Schemas in resources/schema/ from the TypeScript types in src-main/shared.
// Run after changing those types: `node scripts/build-schemas.mjs`. Tests validate CLI output against them.
import { writeFile } from 'node:fs/promises'
import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGenerator } from 'ts-json-schema-generator'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const targets = [
  {
    file: 'src-main/shared/cli-output.ts',
    type: 'SnapshotOutput',
    out: 'snapshot.v1.schema.json',
    title: 'rigready snapshot --json (v1)'
  },
  {
    file: 'src-main/shared/readiness.ts',
    type: 'ReadinessReport',
    out: 'report.v1.schema.json',
    title: 'rigready check --json (v1)'
  },
  {
    file: 'src-main/shared/cli-output.ts',
    type: 'EstimateOutput',
    out: 'estimate.v1.schema.json',
    title: 'rigready estimate --json (v1)'
  },
  {
    file: 'src-main/shared/cli-output.ts',
    type: 'ModelsOutput',
    out: 'models.v1.schema.json',
    title: 'rigready models --json (v1)'
  },
  {
    file: 'src-main/shared/probe.ts',
    type: 'ProbeResult',
    out: 'probe.v1.schema.json',
    title: 'rigready probe --json and stored probe results (v1)'
  },
  {
    file: 'src-main/shared/telemetry.ts',
    type: 'Snapshot',
    out: 'session-snapshot.v1.schema.json',
    title: 'Session file snapshot line (v1)'
  }
]
for (const t of targets) {
  const schema = createGenerator({
    path: resolve(root, t.file),
    tsconfig: resolve(root, 'tsconfig.node.json'),
    type: t.type,
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    skipTypeCheck: true
  }).createSchema(t.type)
  schema.$id = `https://rigready.dev/schema/${t.out}`
  schema.title = t.title
  await writeFile(resolve(root, 'resources/schema', t.out), JSON.stringify(schema, null, 2) + '\n')
  console.log(`wrote resources/schema/${t.out}`)
}
