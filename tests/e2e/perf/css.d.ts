/** Side-effect CSS imports of the performance page (bundled by Vite). */
declare module '*.css'
