import type { ThumbnailsResponse } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { formatClock } from '../lib/format.js';
import { stripTiles } from '../lib/thumbnail-strip.js';
import type { TimeView } from '../lib/waveform-view.js';

/** CSS px; 160x90 tiles show at 71x40, enough to recognise a shot. */
export const STRIP_HEIGHT = 40;

interface Props {
  sprite: ThumbnailsResponse;
  view: TimeView;
  total: number;
  onSeek: (time: number) => void;
}

/**
 * A picture of each shot above the waveform, on the same time axis: each
 * tile starts where its shot starts and follows the waveform's zoom and
 * scroll. Clicking a tile plays from the start of its shot. The tiles are
 * drawn from one sprite image by background-position, so the strip costs one
 * request however many shots there are.
 */
export function ThumbnailStrip({ sprite, view, total, onSeek }: Props) {
  const { t } = useI18n();
  const { tiles, sheetWidth, sheetHeight } = stripTiles(sprite, view, STRIP_HEIGHT, total);
  return (
    <div
      className="thumb-strip"
      style={{ height: STRIP_HEIGHT }}
      role="img"
      aria-label={t('waveform.thumbnails', { count: sprite.times.length })}
      data-testid="thumbnail-strip"
    >
      {tiles.map((tile) => (
        <span
          key={tile.index}
          className="thumb"
          title={t('waveform.shotAt', { time: formatClock(tile.time) })}
          data-time={tile.time}
          onClick={() => onSeek(tile.time)}
          style={{
            left: tile.x,
            width: tile.width,
            // A quote in the URL would end the CSS string early.
            backgroundImage: `url("${sprite.url.replace(/"/g, '%22')}")`,
            backgroundSize: `${sheetWidth}px ${sheetHeight}px`,
            backgroundPosition: `${tile.bgX}px ${tile.bgY}px`,
          }}
        />
      ))}
    </div>
  );
}
