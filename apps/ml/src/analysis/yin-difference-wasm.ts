/**
 * YIN's difference function, lags two at a time, d(τ) and d(τ + 1), in WebAssembly SIMD:
 * the inner loop of pitch-yin.ts, which is most of the audio analysis' time and a third of
 * the diarizer's.
 *
 * Why WebAssembly: the loop is bound by arithmetic (a subtraction, a multiplication and an
 * addition per term), and f64x2 does two terms per instruction where JavaScript does one.
 * Measured on this project's shared 2-core machine (2026-12-01, process.cpuUsage, median of
 * 9, every 10 ms frame of jfk.wav looped to 66 s, decimated to 8 kHz): YIN's estimates take
 * 36 ms with this loop and 109 ms with the best JavaScript one (pitch-yin.ts's
 * differencePair on a float64 copy), 3.0x.
 *
 * Why the results are bit for bit JavaScript's: WebAssembly's f64 arithmetic is IEEE 754
 * with no fused multiply-add and no reassociation, and each SIMD lane is one of the four
 * accumulators of the JavaScript loop (lanes [s0, s1] and [s2, s3], j ≡ 0, 1, 2, 3 mod 4),
 * so every accumulator sees the same operations in the same order; the tail goes into s0
 * and the four are summed as ((s0 + s1) + s2) + s3, as there.
 *
 * The module is 479 bytes, assembled below from named instructions (wasm-assemble.ts)
 * rather than shipped as an opaque blob, so it can be read and checked. Where WebAssembly
 * SIMD is not available, `yinDifference` is undefined and pitch-yin.ts uses its JavaScript
 * loop.
 */
import {
  assembleKernel,
  block,
  br,
  brIf,
  compileKernel,
  end,
  F64,
  f64add,
  f64load,
  f64mul,
  f64store,
  f64sub,
  f64x2add,
  f64x2lane as lane,
  f64x2mul,
  f64x2sub,
  get,
  I32,
  i32add,
  i32const,
  i32eqz,
  i32geS,
  i32sub,
  loop,
  set,
  V128,
  v128load,
  v128zero,
  type WasmMemory,
} from './wasm-assemble.js';


// pairs(tau, count, window, out): byte offsets (τ·8, W·8, where d(τ) goes) and a count of lag
// pairs; d(τ), d(τ + 1), ..., d(τ + 2·count − 1) go to out, out + 8, ...; the frame is at byte 0.
const [TAU, COUNT, WIN, OUT] = [0, 1, 2, 3];
const [J, END4, Y] = [4, 5, 6]; // i32: byte offset of x_j, last start of a 4-term step, byte offset of x_{j+τ}
const [X, A, S01, S23, T01, T23] = [7, 8, 9, 10, 11, 12]; // v128
const [S0, T0, XS, E] = [13, 14, 15, 16]; // f64

/** acc += (X − load(Y + offset))², lane by lane. */
const accumulate = (acc: number, offset: number) => [
  ...get(X), ...get(Y), ...v128load(offset), ...f64x2sub, ...set(A),
  ...get(acc), ...get(A), ...get(A), ...f64x2mul, ...f64x2add, ...set(acc),
];
/** s += (XS − load(Y + offset))². */
const accumulateScalar = (s: number, offset: number) => [
  ...get(XS), ...get(Y), ...f64load(offset), ...f64sub, ...set(E),
  ...get(s), ...get(E), ...get(E), ...f64mul, ...f64add, ...set(s),
];
/** ((s0 + lane 1 of s01) + lane 0 of s23) + lane 1 of s23. */
const total = (s0: number, s01: number, s23: number) => [
  ...get(s0), ...get(s01), ...lane(1), ...f64add, ...get(s23), ...lane(0), ...f64add, ...get(s23), ...lane(1), ...f64add,
];

// prettier-ignore
const pairsBody = [
  ...get(WIN), ...i32const(24), ...i32sub, ...set(END4),
  ...block, ...loop,
  ...get(COUNT), ...i32eqz, ...brIf(1),
  ...i32const(0), ...set(J),
  ...v128zero, ...set(S01), ...v128zero, ...set(S23), ...v128zero, ...set(T01), ...v128zero, ...set(T23),
  // Four terms per lag per step: j < W − 3.
  ...block, ...loop,
  ...get(J), ...get(END4), ...i32geS, ...brIf(1),
  ...get(J), ...get(TAU), ...i32add, ...set(Y),
  ...get(J), ...v128load(0), ...set(X),
  ...accumulate(S01, 0), ...accumulate(T01, 8),
  ...get(J), ...v128load(16), ...set(X),
  ...accumulate(S23, 16), ...accumulate(T23, 24),
  ...get(J), ...i32const(32), ...i32add, ...set(J),
  ...br(0), ...end, ...end,
  // The last W mod 4 terms into s0 (lane 0), one at a time.
  ...get(S01), ...lane(0), ...set(S0),
  ...get(T01), ...lane(0), ...set(T0),
  ...block, ...loop,
  ...get(J), ...get(WIN), ...i32geS, ...brIf(1),
  ...get(J), ...get(TAU), ...i32add, ...set(Y),
  ...get(J), ...f64load(0), ...set(XS),
  ...accumulateScalar(S0, 0), ...accumulateScalar(T0, 8),
  ...get(J), ...i32const(8), ...i32add, ...set(J),
  ...br(0), ...end, ...end,
  ...get(OUT), ...total(S0, S01, S23), ...f64store(0),
  ...get(OUT), ...total(T0, T01, T23), ...f64store(8),
  // Next pair.
  ...get(TAU), ...i32const(16), ...i32add, ...set(TAU),
  ...get(OUT), ...i32const(16), ...i32add, ...set(OUT),
  ...get(COUNT), ...i32const(1), ...i32sub, ...set(COUNT),
  ...br(0), ...end, ...end,
];
// Frame at byte 0: f64 each.
const MODULE = assembleKernel({
  name: 'pairs',
  params: [I32, I32, I32, I32],
  results: [],
  locals: [
    [3, I32],
    [6, V128],
    [4, F64],
  ],
  body: pairsBody,
});

export interface YinDifference {
  /** The memory the frame (f64 from byte 0) and the outputs live in; grow it, then re-take views. */
  readonly memory: WasmMemory;
  /**
   * d(τ), d(τ + 1), ..., d(τ + 2·count − 1) over a window of W samples into the f64s from
   * byte `out` on; reads x[0, W + τ + 2·count − 1).
   */
  pairs(tauBytes: number, count: number, windowBytes: number, out: number): void;
}

function instantiate(): YinDifference | undefined {
  const kernel = compileKernel<YinDifference['pairs']>(MODULE, 'pairs');
  if (!kernel) return undefined;
  const { memory, fn } = kernel.instantiate();
  return { memory, pairs: fn };
}

/**
 * One instance for the process: estimates run one at a time (they are synchronous), each
 * copying its frame in first, so YIN estimators can share it. Undefined without SIMD.
 */
export const yinDifference: YinDifference | undefined = instantiate();
