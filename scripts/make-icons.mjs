// Generates RigReady's icons (a gauge glyph) as PNGs with no dependencies beyond node:zlib.
//   node scripts/make-icons.mjs            writes resources/icons/{icon.png, tray*.png, trayTemplate*.png}
// The shapes are drawn as signed-distance fields and supersampled 4×4 per pixel for anti-aliasing.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { deflate } from 'node:zlib'

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons')

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

async function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  const idat = await promisify(deflate)(raw, { level: 9 })
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0))
  ])
}

// --- geometry (unit square, y down) -------------------------------------------------------------------
const CX = 0.5
const CY = 0.56
const ARC_START = (135 * Math.PI) / 180 // lower left
const ARC_SWEEP = (270 * Math.PI) / 180 // to lower right, gap at the bottom
const NEEDLE_ANGLE = (-40 * Math.PI) / 180 // pointing up and to the right: "ready"

function roundedRectDist(x, y, half, radius) {
  const qx = Math.abs(x - 0.5) - (half - radius)
  const qy = Math.abs(y - 0.5) - (half - radius)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

/** Distance to the arc ring, and the position along it (0..1), or null outside the sweep. */
function arcSample(x, y, radius, thickness) {
  const dx = x - CX
  const dy = y - CY
  let a = Math.atan2(dy, dx) - ARC_START
  while (a < 0) a += 2 * Math.PI
  if (a > ARC_SWEEP) {
    // Round caps at both ends.
    const ends = [ARC_START, ARC_START + ARC_SWEEP].map((t) => [
      CX + radius * Math.cos(t),
      CY + radius * Math.sin(t)
    ])
    const d = Math.min(...ends.map(([ex, ey]) => Math.hypot(x - ex, y - ey))) - thickness / 2
    return { d, t: a - ARC_SWEEP < (2 * Math.PI - ARC_SWEEP) / 2 ? 1 : 0 }
  }
  return { d: Math.abs(Math.hypot(dx, dy) - radius) - thickness / 2, t: a / ARC_SWEEP }
}

function segmentDist(x, y, ax, ay, bx, by) {
  const px = x - ax
  const py = y - ay
  const vx = bx - ax
  const vy = by - ay
  const h = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)))
  return Math.hypot(px - vx * h, py - vy * h)
}

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t)
}

/** Green → amber → red along the dial. */
function dialColor(t) {
  const green = [46, 204, 113]
  const amber = [241, 196, 15]
  const red = [231, 76, 60]
  return t < 0.5 ? mix(green, amber, t * 2) : mix(amber, red, (t - 0.5) * 2)
}

/** Paints one supersample; returns [r, g, b, a] with a in 0..1, later layers over earlier ones. */
function paint(x, y, style) {
  let color = [0, 0, 0]
  let alpha = 0
  const over = (c, a) => {
    color = mix(color, c, alpha === 0 ? 1 : a)
    alpha = a + alpha * (1 - a)
  }
  if (style.background) {
    if (roundedRectDist(x, y, 0.46, 0.2) <= 0) over([20, 24, 31], 1)
  }
  const arc = arcSample(x, y, style.radius, style.ring)
  if (arc.d <= 0) over(style.mono ?? dialColor(arc.t), 1)
  const nx = CX + style.radius * 0.78 * Math.cos(NEEDLE_ANGLE)
  const ny = CY + style.radius * 0.78 * Math.sin(NEEDLE_ANGLE)
  if (segmentDist(x, y, CX, CY, nx, ny) <= style.needle / 2) over(style.mono ?? [236, 240, 245], 1)
  if (Math.hypot(x - CX, y - CY) <= style.hub) over(style.mono ?? [236, 240, 245], 1)
  return [...color, alpha]
}

function render(size, style) {
  const rgba = Buffer.alloc(size * size * 4)
  const ss = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const [cr, cg, cb, ca] = paint(
            (px + (sx + 0.5) / ss) / size,
            (py + (sy + 0.5) / ss) / size,
            style
          )
          r += cr * ca
          g += cg * ca
          b += cb * ca
          a += ca
        }
      }
      const i = (py * size + px) * 4
      rgba[i] = a > 0 ? Math.round(r / a) : 0
      rgba[i + 1] = a > 0 ? Math.round(g / a) : 0
      rgba[i + 2] = a > 0 ? Math.round(b / a) : 0
      rgba[i + 3] = Math.round((a / (ss * ss)) * 255)
    }
  }
  return rgba
}

const APP = { background: true, radius: 0.3, ring: 0.075, needle: 0.05, hub: 0.055 }
const TRAY = { background: false, radius: 0.36, ring: 0.13, needle: 0.11, hub: 0.1 }

const outputs = [
  ['icon.png', 512, APP],
  ['tray.png', 16, { ...TRAY, mono: [255, 255, 255] }],
  ['tray@2x.png', 32, { ...TRAY, mono: [255, 255, 255] }],
  // macOS template images: black + alpha; the system tints them for light and dark menu bars.
  ['trayTemplate.png', 16, { ...TRAY, mono: [0, 0, 0] }],
  ['trayTemplate@2x.png', 32, { ...TRAY, mono: [0, 0, 0] }]
]

await mkdir(outDir, { recursive: true })
for (const [name, size, style] of outputs) {
  await writeFile(join(outDir, name), await encodePng(size, render(size, style)))
  console.log(`wrote resources/icons/${name} (${size}×${size})`)
}
