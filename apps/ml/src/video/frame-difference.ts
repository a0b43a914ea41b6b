/**
 * How different two consecutive frames look: the per-frame "content score"
 * of a cut detector, in the spirit of PySceneDetect's ContentDetector (mean
 * absolute difference of the pixels' colour components between consecutive
 * frames), on the small RGB24 frames the decoder hands over.
 *
 * The components are luma and the two colour differences of JPEG's Y'CbCr
 * (ITU-T T.871 coefficients), not ContentDetector's HSV: hue is undefined for
 * a grey pixel, so on a noisy grey shot HSV's hue jumps at random from frame
 * to frame and the whole shot scores like a string of cuts, which is the
 * "noisy shot outscores a real cut" trap this detector must avoid. Y'CbCr is
 * linear in RGB, so noise scores only what its amplitude is, and a colour
 * change at equal brightness (red to blue) still moves Cb and Cr.
 *
 * The difference is taken over cells of CELL x CELL pixels (their mean
 * colour), not single pixels: noise that differs from pixel to pixel cancels
 * inside a cell while a cut, which changes whole regions, does not. Measured
 * on a grey shot under ffmpeg's temporal noise (alls=60, 320x180 analysed at
 * 160x90): 26 per pixel, 17 per 2x2 cell, while the cuts around it kept
 * 53–64 of their 56–66.
 *
 * Scale: 0..255 per component; the score is the mean of the three.
 */

/** Bytes per pixel of the RGB24 frames. */
export const RGB_BYTES = 3;
/** Cell side in pixels: 2, so a 160x90 frame is compared as 80x45 cells (24x24 source pixels each at 1080p). */
export const CELL = 2;

/**
 * Mean over cells of (|ΔY| + |ΔCb| + |ΔCr|) / 3 between two RGB24 frames of
 * `width` pixels a row: 0 for identical frames; a cut between unrelated shots
 * scores tens (see detect-cuts.ts). A last row or column too short for a
 * whole cell is left out.
 */
export function frameDifference(a: Uint8Array, b: Uint8Array, width: number): number {
  if (a.length !== b.length || !(width > 0) || a.length % (width * RGB_BYTES) !== 0) {
    throw new RangeError(`frames of ${a.length} and ${b.length} bytes, ${width} pixels a row, cannot be compared`);
  }
  const height = a.length / (width * RGB_BYTES);
  const cols = Math.floor(width / CELL);
  const rows = Math.floor(height / CELL);
  if (cols === 0 || rows === 0) return 0;
  const perCell = CELL * CELL;
  let sum = 0;
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let dr = 0;
      let dg = 0;
      let db = 0;
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
        let i = (y * width + cx * CELL) * RGB_BYTES;
        for (let x = 0; x < CELL; x++, i += RGB_BYTES) {
          dr += a[i]! - b[i]!;
          dg += a[i + 1]! - b[i + 1]!;
          db += a[i + 2]! - b[i + 2]!;
        }
      }
      // Differences of the components are the components of the difference (the transform is linear).
      const dy = 0.299 * dr + 0.587 * dg + 0.114 * db;
      const dcb = -0.168736 * dr - 0.331264 * dg + 0.5 * db;
      const dcr = 0.5 * dr - 0.418688 * dg - 0.081312 * db;
      sum += Math.abs(dy) + Math.abs(dcb) + Math.abs(dcr);
    }
  }
  return sum / (3 * perCell * cols * rows);
}
