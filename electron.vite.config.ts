import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const sharedAlias = { $shared: resolve(__dirname, 'src-main/shared') }

// Every entry is named: electron-vite's defaults look in src/main, src/preload and src/renderer.
export default defineConfig({
  main: {
    resolve: { alias: sharedAlias },
    build: {
      externalizeDeps: true,
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/index.ts'),
          cli: resolve(__dirname, 'src-main/cli.ts'),
          'engine-host': resolve(__dirname, 'src-main/node/engine-host.ts'),
          bench: resolve(__dirname, 'src-main/node/bench/bench.ts')
        }
      }
    }
  },
  preload: {
    resolve: { alias: sharedAlias },
    build: {
      externalizeDeps: true,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    resolve: { alias: sharedAlias },
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // The renderer ships minified to browsers (`rigready serve`) and the app; the performance
      // harness lives in tests/ and is never part of this bundle.
      minify: true,
      cssMinify: true,
      sourcemap: false,
      reportCompressedSize: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } }
    }
  }
})
