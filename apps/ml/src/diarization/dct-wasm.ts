/**
 * mfcc.ts's DCT (cepstra c1..cN from the frame's log mel energies) in WebAssembly SIMD: rows
 * k and k + 1 of the DCT matrix in the two lanes of one accumulator, the matrix in the code
 * as v128 constants. The log stays in JavaScript before it (Math.log is not an IEEE 754
 * operation, and WebAssembly has no log to match it bit for bit). A small cut: measured
 * 2026-12-01 (process.cpuUsage, median of 11, 6610 frames, alternated), log and DCT took
 * 11 ms per 66 s in JavaScript and 9 ms with this kernel.
 *
 * Same bits as mfcc.ts's JavaScript: each row's sum starts at 0 and adds dct[k][m]·log[m]
 * for m = 0, 1, ... in order, IEEE 754 f64 with no fused multiply-add, and each sum goes to
 * float32 by f32.demote_f64 (round to nearest, ties to even, as a Float32Array store does).
 *
 * Memory: the log energies (f64) at byte 0, the cepstra (f32) at byte 8·bins.
 */
import {
  assembleKernel,
  compileKernel,
  f32demoteF64,
  f32store,
  f64load,
  f64x2add,
  f64x2const,
  f64x2lane,
  f64x2mul,
  f64x2splat,
  get,
  i32constAny,
  set,
  V128,
  v128zero,
  type WasmMemory,
} from '../analysis/wasm-assemble.js';

/** The module for a rows × bins matrix (row r at dct[r·bins]): one function `dct()`. */
export function dctModule(dct: Float64Array, rows: number, bins: number): Uint8Array {
  const pairs = Math.ceil(rows / 2);
  const V = pairs; // the splatted log energy; accumulators are locals 0 .. pairs − 1
  const ZERO = i32constAny(0);
  const code: number[] = [];
  for (let p = 0; p < pairs; p++) code.push(...v128zero, ...set(p));
  for (let m = 0; m < bins; m++) {
    code.push(...ZERO, ...f64load(8 * m), ...f64x2splat, ...set(V));
    for (let p = 0; p < pairs; p++) {
      const r = 2 * p;
      // A missing last row (odd count) multiplies by 0 and is never stored.
      const c1 = r + 1 < rows ? dct[(r + 1) * bins + m]! : 0;
      code.push(...get(p), ...f64x2const(dct[r * bins + m]!, c1), ...get(V), ...f64x2mul, ...f64x2add, ...set(p));
    }
  }
  for (let r = 0; r < rows; r++) code.push(...ZERO, ...get(r >> 1), ...f64x2lane(r & 1), ...f32demoteF64, ...f32store(8 * bins + 4 * r));
  return assembleKernel({ name: 'dct', params: [], results: [], locals: [[pairs + 1, V128]], body: code });
}

export interface DctKernel {
  readonly memory: WasmMemory;
  /** The log energies in, to fill before each call. */
  readonly logMel: Float64Array;
  /** The cepstra out, after each call. */
  readonly cepstra: Float32Array;
  dct(): void;
}

/** An instance for this matrix, or undefined without WebAssembly SIMD. */
export function createDct(dct: Float64Array, rows: number, bins: number): DctKernel | undefined {
  const kernel = compileKernel<() => void>(dctModule(dct, rows, bins), 'dct');
  if (!kernel) return undefined;
  const { memory, fn } = kernel.instantiate();
  const pages = Math.ceil((8 * bins + 4 * rows) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  return { memory, logMel: new Float64Array(memory.buffer, 0, bins), cepstra: new Float32Array(memory.buffer, 8 * bins, rows), dct: fn };
}
