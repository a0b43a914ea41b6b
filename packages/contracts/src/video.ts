import { z } from 'zod';

/*
 * What the ML service measures of a video's picture: its rate and size and
 * the shot changes that professional captions are timed to (a caption should
 * not run across a cut), plus a sprite of one thumbnail per shot for the
 * editor's timeline. Audio-only media have none of it.
 */

/** 16384: the largest frame dimension of H.264 level 6.2 and HEVC (8192x4320 frames fit well inside). */
export const MAX_VIDEO_DIMENSION = 16_384;
/** 1000 fps: above any camera's recording rate (high-speed phone modes stop at 960). */
export const MAX_VIDEO_FPS = 1000;
/**
 * 200 000 shot changes: a cut every 0.5 s (the ML service's shortest shot)
 * for over 27 h, so any accepted video fits; the bound only stops a
 * delivery from being unbounded.
 */
export const MAX_SHOT_CHANGES = 200_000;
export const MAX_SPRITE_TILES = 200;
/** 4 MiB of JPEG, as base64 (4/3 longer): about nine times what the ML service's 100 tiles of 160x90 take (~0.45 MB). */
export const MAX_SPRITE_BASE64_LENGTH = Math.ceil((4 * 1024 * 1024) / 3) * 4;

const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

const Dimension = z.number().int().positive().max(MAX_VIDEO_DIMENSION);

/** `result.video`: present when the upload has a video stream that was analysed. */
export const VideoAnalysis = z
  .object({
    /** Frames per second (the stream's average rate; a variable-rate video states its mean). */
    fps: z.number().positive().max(MAX_VIDEO_FPS),
    /** The displayed picture's size: stored size with the sample aspect ratio applied, turned as the rotation says. */
    width: Dimension,
    height: Dimension,
    /** Time (seconds, on the media's timeline) of the first frame of every shot after the first, strictly ascending. */
    shot_changes: z
      .array(z.number().min(0))
      .max(MAX_SHOT_CHANGES)
      .refine(ascending, { message: 'shot changes must be strictly ascending' }),
  })
  .meta({ id: 'VideoAnalysis' });
export type VideoAnalysis = z.infer<typeof VideoAnalysis>;

/** How a thumbnail sprite is laid out: tiles of width x height, `columns` to a row, left to right, top to bottom. */
export const ThumbnailLayout = z
  .object({
    /** One tile's size in pixels (the video's aspect, 160 px on its long side). */
    width: Dimension,
    height: Dimension,
    columns: z.number().int().positive().max(MAX_SPRITE_TILES),
    /**
     * For each tile in order, the start (seconds) of the shot it shows; the
     * picture is a few frames into that shot. One tile per shot, or an even
     * sample of the shots when there are more than the sprite holds.
     */
    times: z
      .array(z.number().min(0))
      .min(1)
      .max(MAX_SPRITE_TILES)
      .refine(ascending, { message: 'thumbnail times must be strictly ascending' }),
  })
  .meta({ id: 'ThumbnailLayout' });
export type ThumbnailLayout = z.infer<typeof ThumbnailLayout>;

/** ML → backend, next to `result`: the sprite itself, as a base64 JPEG. */
export const ThumbnailSprite = ThumbnailLayout.extend({
  jpeg_base64: z
    .string()
    .max(MAX_SPRITE_BASE64_LENGTH)
    // "/9j/" is the base64 of FF D8 FF, the start of every JPEG.
    .regex(/^\/9j\/[A-Za-z0-9+/]*={0,2}$/, 'a base64 JPEG'),
}).meta({ id: 'ThumbnailSprite' });
export type ThumbnailSprite = z.infer<typeof ThumbnailSprite>;

/** `GET /api/upload-video/result/{jobId}/thumbnails`: the layout, and where the sprite's bytes are. */
export const ThumbnailsResponse = ThumbnailLayout.extend({
  /** The sprite JPEG, on this server (`…/thumbnails.jpg`), so an <img> may load it under the app's CSP. */
  url: z.string(),
  rows: z.number().int().positive(),
}).meta({ id: 'ThumbnailsResponse' });
export type ThumbnailsResponse = z.infer<typeof ThumbnailsResponse>;
