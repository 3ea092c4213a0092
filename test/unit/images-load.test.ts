import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadImage } from '../../model-host/images/load-image';
import { HostErrorCodes } from '../../model-host/protocol';
import { HostError } from '../../model-host/protocol/errors';
import { pngClaimingSize } from '../fixtures/images/make-png';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-images-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** The RGB of one pixel (alpha, when there is one, left out; see `alphaAt`). */
async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * info.channels;
  return [...data.subarray(o, o + 3)];
}

async function alphaAt(png: Buffer, x: number, y: number): Promise<number | undefined> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return info.channels === 4 ? data[(y * info.width + x) * 4 + 3] : undefined;
}

async function badImage(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HostError, `expected a HostError, got ${String(err)}`);
    assert.equal(err.code, HostErrorCodes.BadImage);
    assert.match(err.message, message);
    return true;
  });
}

/** A 24-bit bottom-up BMP of w×h with the top-left pixel red and the rest blue. */
function bmp24(w: number, h: number): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * h);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 54 + (h - 1 - y) * row + x * 3;
      const red = x === 0 && y === 0;
      buf[o] = red ? 0 : 255; // B
      buf[o + 1] = 0;
      buf[o + 2] = red ? 255 : 0; // R
    }
  }
  return buf;
}

test('a PNG with alpha keeps its alpha and the colour stored under it, as 8-bit sRGB PNG (engines decide what alpha means)', async () => {
  const png = await sharp({ create: { width: 4, height: 3, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
  const image = await loadImage({ path: file('alpha.png', png) });
  assert.equal(image.width, 4);
  assert.equal(image.height, 3);
  assert.equal(image.source, 'alpha.png');
  const meta = await sharp(image.png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.channels, 4);
  assert.equal(image.hasAlpha, true);
  assert.equal(meta.depth, 'uchar');
  assert.deepEqual(await pixel(image.png, 0, 0), [255, 0, 0]);
  assert.equal(await alphaAt(image.png, 0, 0), 0);
});

test('base64 and data URLs are accepted', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#00ff00' } })
    .png()
    .toBuffer();
  assert.equal((await loadImage({ base64: png.toString('base64') })).width, 2);
  const fromUrl = await loadImage({ base64: `data:image/png;base64,${png.toString('base64')}` });
  assert.deepEqual(await pixel(fromUrl.png, 1, 1), [0, 255, 0]);
});

test('EXIF orientation is applied (a 4×2 JPEG rotated 90° becomes 2×4)', async () => {
  const jpeg = await sharp({ create: { width: 4, height: 2, channels: 3, background: '#808080' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const image = await loadImage({ path: file('rotated.jpg', jpeg) });
  assert.deepEqual([image.width, image.height], [2, 4]);
});

test('an animated GIF gives its first frame', async () => {
  // Two 3×3 frames stacked vertically: red, then blue.
  const frames = Buffer.alloc(3 * 6 * 3);
  for (let i = 0; i < 9; i++) frames[i * 3] = 255;
  for (let i = 9; i < 18; i++) frames[i * 3 + 2] = 255;
  const gif = await sharp(frames, { raw: { width: 3, height: 6, channels: 3, pageHeight: 3 } as sharp.CreateRaw })
    .gif({ loop: 0 })
    .toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  const image = await loadImage({ path: file('anim.gif', gif) });
  assert.deepEqual([image.width, image.height], [3, 3]);
  const [r, , b] = await pixel(image.png, 1, 1);
  assert.ok(r > 200 && b < 50, `first frame is red, got r=${r} b=${b}`);
});

test('16-bit PNG and CMYK JPEG come back as 8-bit sRGB', async () => {
  const png16 = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#ff8000' } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, 'ushort');
  const a = await loadImage({ path: file('deep.png', png16) });
  assert.equal((await sharp(a.png).metadata()).depth, 'uchar');
  assert.deepEqual(await pixel(a.png, 0, 0), [255, 128, 0]);

  const cmyk = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#0000ff' } })
    .toColourspace('cmyk')
    .jpeg()
    .toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const b = await loadImage({ path: file('cmyk.jpg', cmyk) });
  const meta = await sharp(b.png).metadata();
  assert.equal(meta.space, 'srgb');
  assert.equal(meta.channels, 3);
  const [r, , bl] = await pixel(b.png, 0, 0);
  assert.ok(bl > 120 && r < 60, `blue survives the CMYK round trip, got ${r},${bl}`);
});

test('SVG is rasterised; WebP is read', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="#000"/></svg>';
  const image = await loadImage({ path: file('shape.svg', svg) });
  assert.deepEqual([image.width, image.height], [20, 10]);
  assert.deepEqual(await pixel(image.png, 5, 5), [0, 0, 0]);
  const webp = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#fff' } })
    .webp()
    .toBuffer();
  assert.equal((await loadImage({ path: file('x.webp', webp) })).width, 5);
});

test('BMP (which sharp cannot read) is decoded, with rows in the right order', async () => {
  const image = await loadImage({ path: file('shot.bmp', bmp24(3, 2)) });
  assert.deepEqual([image.width, image.height], [3, 2]);
  assert.deepEqual(await pixel(image.png, 0, 0), [255, 0, 0]);
  assert.deepEqual(await pixel(image.png, 2, 1), [0, 0, 255]);
  assert.equal(image.hasAlpha, false, 'an opaque BMP stays RGB');
});

test('bad input: missing, empty, not an image, truncated, a folder', async () => {
  await badImage(loadImage({ path: path.join(dir, 'nope.png') }), /no file at .*nope\.png/);
  await badImage(loadImage({ path: file('empty.png', Buffer.alloc(0)) }), /empty \(0 bytes\)/);
  await badImage(loadImage({ path: file('notes.png', 'just some text, not pixels') }), /not an image Visual Coder can read \(supported: png, jpg/);
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
    .png()
    .toBuffer();
  await badImage(loadImage({ path: file('cut.png', png.subarray(0, 60)) }), /cannot be decoded|corrupt|truncated|not an image/);
  await badImage(loadImage({ path: dir }), /is not a file/);
  await badImage(loadImage({}), /no image was given/);
  await badImage(loadImage({ path: file('cut.bmp', bmp24(10, 10).subarray(0, 100)) }), /truncated/);
});

test('decompression bomb: decoded pixels over the cap are refused before decoding', async () => {
  const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  const p = file('big.png', png);
  await badImage(loadImage({ path: p }, { maxPixels: 50_000, maxBytes: 1e9 }), /300×200 = 0\.1 megapixels, over the limit/);
  await badImage(loadImage({ path: file('big.bmp', bmp24(300, 200)) }, { maxPixels: 50_000, maxBytes: 1e9 }), /over the limit/);
  await badImage(loadImage({ path: p }, { maxPixels: 1e9, maxBytes: 100 }), /MB, over the limit/);
  // Under the cap it loads.
  assert.equal((await loadImage({ path: p }, { maxPixels: 60_000, maxBytes: 1e9 })).width, 300);
});

test('a real bomb: a tiny PNG whose header claims 100000×100000 is refused with the default cap', async () => {
  const png = await pngClaimingSize(100_000, 100_000);
  const meta = await sharp(png, { limitInputPixels: false }).metadata();
  assert.deepEqual([meta.width, meta.height], [100_000, 100_000]);
  await badImage(loadImage({ path: file('bomb.png', png) }), /100000×100000 = 10000\.0 megapixels, over the limit of 40; crop or downscale it first/);
});
