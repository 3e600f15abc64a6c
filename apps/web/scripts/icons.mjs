// Draws Klaxon's icons (a red beacon with yellow rays on a dark tile) as SVG and PNG, with no
// dependencies: shapes are rasterized with 4x4 supersampling and written with node:zlib.
// Run: node scripts/icons.mjs (writes public/icon.svg, icon-192.png, icon-512.png, icon-maskable-512.png, badge-96.png)
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [26, 27, 30, 255];
const RED = [240, 62, 62, 255];
const BASE = [222, 226, 230, 255];
const YELLOW = [252, 196, 25, 255];
const SHINE = [255, 168, 168, 255];

// Geometry in a 512 x 512 space. `pad` shrinks the drawing toward the centre (maskable safe zone).
function shapes(pad, withTile, tileRadius) {
  const s = (v) => 256 + (v - 256) * (1 - pad);
  const k = 1 - pad;
  const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
    const cx = Math.max(x0 + r, Math.min(x, x1 - r));
    const cy = Math.max(y0 + r, Math.min(y, y1 - r));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  const segment = (ax, ay, bx, by, w) => (x, y) => {
    const dx = bx - ax,
      dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (w / 2) ** 2;
  };
  const dome = (x, y) => (y <= s(316) && (x - s(256)) ** 2 + (y - s(316)) ** 2 <= (128 * k) ** 2) || (x >= s(128) && x <= s(384) && y >= s(300) && y <= s(352));
  const list = [];
  if (withTile) list.push([roundRect(0, 0, 512, 512, tileRadius), BG]);
  list.push([dome, RED]);
  list.push([roundRect(s(176), s(236), s(206), s(320), 15 * k), SHINE]);
  list.push([roundRect(s(104), s(352), s(408), s(410), 18 * k), BASE]);
  list.push([segment(s(256), s(60), s(256), s(128), 30 * k), YELLOW]);
  list.push([segment(s(92), s(120), s(140), s(168), 30 * k), YELLOW]);
  list.push([segment(s(420), s(120), s(372), s(168), 30 * k), YELLOW]);
  return list;
}

function rasterize(size, list, transparentBg) {
  const px = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = ((pxi + (sx + 0.5) / n) / size) * 512;
          const y = ((py + (sy + 0.5) / n) / size) * 512;
          let c = transparentBg ? [0, 0, 0, 0] : BG;
          for (const [inside, color] of list) if (inside(x, y)) c = color;
          const al = c[3] / 255;
          r += c[0] * al;
          g += c[1] * al;
          b += c[2] * al;
          a += al;
        }
      }
      const o = (py * size + pxi) * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return px;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), png(192, rasterize(192, shapes(0.04, true, 96), true)));
writeFileSync(new URL('icon-512.png', out), png(512, rasterize(512, shapes(0.04, true, 112), true)));
// Maskable: full-bleed tile, drawing inside the central 80% safe zone.
writeFileSync(new URL('icon-maskable-512.png', out), png(512, rasterize(512, shapes(0.22, true, 0), false)));
// Monochrome badge for the Android status bar: white shapes on transparent.
const white = [255, 255, 255, 255];
writeFileSync(
  new URL('badge-96.png', out),
  png(
    96,
    rasterize(
      96,
      shapes(0.02, false, 0).map(([f]) => [f, white]),
      true,
    ),
  ),
);

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512" rx="112" fill="#1a1b1e"/>
  <path d="M128 316a128 128 0 0 1 256 0v36H128z" fill="#f03e3e"/>
  <rect x="176" y="236" width="30" height="84" rx="15" fill="#ffa8a8"/>
  <rect x="104" y="352" width="304" height="58" rx="18" fill="#dee2e6"/>
  <g stroke="#fcc419" stroke-width="30" stroke-linecap="round">
    <path d="M256 60v68M92 120l48 48M420 120l-48 48"/>
  </g>
</svg>
`;
writeFileSync(new URL('icon.svg', out), svg);
console.log('icons written to public/');
