import type { ThumbnailLayout } from '@ecg/contracts';
import { timeToX, type TimeView } from './waveform-view.js';

/** One thumbnail of the strip above the waveform, in CSS pixels of the strip. */
export interface StripTile {
  /** Index of the tile in the sprite (and in `times`). */
  index: number;
  /** The shot's start, seconds. */
  time: number;
  /** Left edge and width in the strip; the width never runs into the next shot. */
  x: number;
  width: number;
  /** background-position into the scaled sprite (both ≤ 0). */
  bgX: number;
  bgY: number;
}

export interface StripLayout {
  tiles: StripTile[];
  /** background-size of the scaled sprite. */
  sheetWidth: number;
  sheetHeight: number;
}

/** Narrower than this (CSS px) a tile shows nothing recognisable, so it is left out. */
const MIN_TILE_PX = 3;

/**
 * Where each shot's thumbnail goes on the waveform's time axis: at the
 * shot's start, the sprite tile scaled to the strip's height, cut short
 * where the next shot begins (or the recording ends), so zooming and
 * scrolling the waveform move the strip with it. Tiles are read from the
 * sprite left to right, top to bottom (`columns` to a row), by
 * background-position into the sprite scaled by the same factor.
 */
export function stripTiles(
  sprite: Pick<ThumbnailLayout, 'width' | 'height' | 'columns' | 'times'>,
  view: TimeView,
  stripHeight: number,
  total = Infinity,
): StripLayout {
  const scale = stripHeight / sprite.height;
  const tileWidth = sprite.width * scale;
  const rows = Math.ceil(sprite.times.length / sprite.columns);
  const tiles: StripTile[] = [];
  sprite.times.forEach((time, index) => {
    const next = sprite.times[index + 1] ?? total;
    const x = timeToX(view, time);
    const room = Number.isFinite(next) ? timeToX(view, next) - x : Infinity;
    const width = Math.min(tileWidth, room);
    if (width < MIN_TILE_PX || x >= view.width || x + width <= 0) return;
    tiles.push({
      index,
      time,
      x,
      width,
      bgX: -(index % sprite.columns) * tileWidth,
      bgY: -Math.floor(index / sprite.columns) * stripHeight,
    });
  });
  return { tiles, sheetWidth: sprite.columns * tileWidth, sheetHeight: rows * stripHeight };
}
