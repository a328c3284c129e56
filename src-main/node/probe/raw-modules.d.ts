/** Text of a file imported with Vite's `?raw` suffix (the bundled GPU probe script). */
declare module '*.py?raw' {
  const text: string
  export default text
}
