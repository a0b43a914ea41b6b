import { RGB_BYTES } from './frame-difference.js';

/** 10 tiles of 160 px make a 1600 px wide sprite: the width of a wide screen, so one row is a useful strip too. */
export const SPRITE_COLUMNS = 10;

export interface RgbImage {
  width: number;
  height: number;
  /** RGB24, rows top to bottom. */
  rgb: Uint8Array;
}

/**
 * Tiles equally sized RGB24 frames left to right, top to bottom, `columns`
 * to a row (fewer when there are fewer frames); the unused rest of the last
 * row is black.
 */
export function tileSprite(frames: readonly Uint8Array[], tileWidth: number, tileHeight: number, columns = SPRITE_COLUMNS): RgbImage & { columns: number } {
  if (frames.length === 0) throw new RangeError('no frames to tile');
  const tileBytes = tileWidth * tileHeight * RGB_BYTES;
  const cols = Math.min(columns, frames.length);
  const rows = Math.ceil(frames.length / cols);
  const width = cols * tileWidth;
  const height = rows * tileHeight;
  const rgb = new Uint8Array(width * height * RGB_BYTES);
  const rowBytes = tileWidth * RGB_BYTES;
  frames.forEach((frame, i) => {
    if (frame.length !== tileBytes) throw new RangeError(`frame ${i} has ${frame.length} bytes; a ${tileWidth}x${tileHeight} tile has ${tileBytes}`);
    const x0 = (i % cols) * tileWidth;
    const y0 = Math.floor(i / cols) * tileHeight;
    for (let y = 0; y < tileHeight; y++) {
      rgb.set(frame.subarray(y * rowBytes, (y + 1) * rowBytes), ((y0 + y) * width + x0) * RGB_BYTES);
    }
  });
  return { width, height, rgb, columns: cols };
}
