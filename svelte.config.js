import { vitePreprocess } from '@sveltejs/vite-plugin-svelte'

/** Svelte config shared by vite, svelte-check and eslint. */
export default { preprocess: vitePreprocess() }
