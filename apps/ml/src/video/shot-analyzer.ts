import { AdaptiveCutDetector, type CutDetectorOptions } from './detect-cuts.js';
import { EvenSample } from './even-sample.js';
import { frameDifference, RGB_BYTES } from './frame-difference.js';

export interface ShotAnalyzerOptions {
  detector?: Partial<CutDetectorOptions>;
  /**
   * Which frame of a shot its thumbnail shows: this many frames in (or the
   * shot's last frame when it is shorter), so a thumbnail skips the first
   * frames after a cut, where encoders smear the new picture.
   */
  thumbnailOffsetFrames?: number;
  maxThumbnails?: number;
}

/** 3 frames: 0.1 s at 30 fps, past the encoder's first frame of a new shot yet still its opening picture. */
export const THUMBNAIL_OFFSET_FRAMES = 3;
/** 100 tiles of 160x90 make a 1600x900 sprite, ~0.45 MB as JPEG (4.5 kB a tile on the test patterns): a timeline's worth, one download. */
export const MAX_THUMBNAILS = 100;

export interface ShotThumbnail {
  /** The first frame of the shot it shows (0 for the video's first shot). */
  shotStart: number;
  /** RGB24, the analysed frame size. */
  frame: Uint8Array;
}

export interface ShotAnalysis {
  /** The first frame (index) of every shot after the first, ascending. */
  shotChanges: number[];
  /** An even sample of the shots' thumbnails (all shots when there are at most maxThumbnails), in order. */
  thumbnails: ShotThumbnail[];
  frames: number;
}

/**
 * Shot changes and per-shot thumbnails from a stream of small RGB24 frames:
 * frames in, the frame indices of cuts out, no I/O (the caller knows the
 * frames' times). It holds the last 2 × windowFrames + 2 frames (the flash
 * check looks around the frame being decided) plus the kept thumbnails,
 * whatever the length of the video.
 */
export class ShotAnalyzer {
  readonly #width: number;
  readonly #frameBytes: number;
  readonly #detector: AdaptiveCutDetector;
  readonly #offset: number;
  readonly #thumbs: EvenSample<ShotThumbnail>;
  /** Ring of the newest frames (copies), slot = index % length. */
  readonly #ring: Uint8Array[];
  #count = 0;
  #previous: Uint8Array | null = null;
  #shotChanges: number[] = [];
  /** The shot whose thumbnail is still to be taken. */
  #pending: { shot: number; start: number } | null = null;
  #shots = 0;

  constructor(width: number, height: number, options: ShotAnalyzerOptions = {}) {
    this.#width = width;
    this.#frameBytes = width * height * RGB_BYTES;
    this.#detector = new AdaptiveCutDetector(options.detector, (before, after) => frameDifference(this.#frame(before), this.#frame(after), width));
    this.#offset = options.thumbnailOffsetFrames ?? THUMBNAIL_OFFSET_FRAMES;
    this.#thumbs = new EvenSample(options.maxThumbnails ?? MAX_THUMBNAILS);
    const held = 2 * this.#detector.options.windowFrames + 2;
    this.#ring = Array.from({ length: held }, () => new Uint8Array(this.#frameBytes));
  }

  /** The next frame (copied: the caller may reuse its buffer). */
  push(frame: Uint8Array): void {
    if (frame.length !== this.#frameBytes) throw new RangeError(`a frame of ${frame.length} bytes; expected ${this.#frameBytes}`);
    const index = this.#count++;
    const slot = this.#ring[index % this.#ring.length]!;
    slot.set(frame);
    const score = this.#previous ? frameDifference(this.#previous, slot, this.#width) : 0;
    this.#previous = slot;
    if (index === 0) this.#startShot(0);
    for (const cut of this.#detector.push(score)) this.#cut(cut);
    if (this.#pending && index === this.#pending.start + this.#offset) this.#takeThumbnail(index);
  }

  finish(): ShotAnalysis {
    if (this.#pending && this.#count > 0) this.#takeThumbnail(this.#count - 1);
    return { shotChanges: this.#shotChanges, thumbnails: this.#thumbs.items, frames: this.#count };
  }

  #frame(index: number): Uint8Array {
    if (index < 0 || index >= this.#count || index < this.#count - this.#ring.length) throw new RangeError(`frame ${index} is no longer held`);
    return this.#ring[index % this.#ring.length]!;
  }

  #cut(index: number): void {
    // The shot before the cut was shorter than the offset: its last frame shows it.
    if (this.#pending) this.#takeThumbnail(index - 1);
    this.#shotChanges.push(index);
    this.#startShot(index);
    const want = index + this.#offset;
    if (want < this.#count) this.#takeThumbnail(want);
  }

  #startShot(index: number): void {
    this.#pending = { shot: this.#shots++, start: index };
  }

  #takeThumbnail(index: number): void {
    const p = this.#pending!;
    this.#pending = null;
    if (this.#thumbs.wants(p.shot)) this.#thumbs.offer(p.shot, { shotStart: p.start, frame: this.#frame(index).slice() });
  }
}
