/**
 * The two-stages-a-pass radix-2 FFT passes of mfcc.ts in WebAssembly SIMD: two adjacent
 * butterflies (j and j + 1 of a group) per f64x2 instruction, as a piece of the whole-frame
 * kernel (mel-frame-wasm.ts). The FFT is about half of a frame's MFCC time and these passes
 * most of the FFT. Measured 2026-12-01 on this project's shared 2-core machine
 * (process.cpuUsage, median of 11, 6600 frames of jfk.wav looped to 66 s, alternated in one
 * process), when they were a kernel of their own: `melEnergies` took 45–48 ms with these
 * passes and 57–60 ms with mfcc.ts's JavaScript ones.
 *
 * Same bits as mfcc.ts's JavaScript passes: WebAssembly's f64 arithmetic is IEEE 754 with
 * no fused multiply-add and no reassociation, and each lane does exactly the JavaScript
 * butterfly's operations in its order (tr = br·wr − bi·wi, ti = br·wi + bi·wr, a ± t).
 *
 * Memory layout (f64, h = n/2 points): re at byte 0, im at h·8, the per-stage twiddles
 * twCos at 2h·8 and twSin at 3h·8 (mfcc.ts's tables, index half − 1 + j for a stage whose
 * butterflies span 2·half).
 */
import {
  block,
  br,
  brIf,
  end,
  f64x2add,
  f64x2mul,
  f64x2sub,
  get,
  I32,
  i32add,
  i32const,
  i32geS,
  i32shl,
  i32sub,
  loop,
  set,
  V128,
  v128load,
  v128store,
} from '../analysis/wasm-assemble.js';

// Parameters h·8 and half·8; the passes run while 2·half < h, leaving the half·8 reached in HALF.
const [H, HALF] = [0, 1];
const [IM, TC, TS, T1, T2, G, J, I0, I1, I2, I3] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // i32, bytes
const [WR, WI, TR, TI, AR, AI, BR, BI, CR, CI, DR, DI, XR, XI] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26]; // v128

/** The i32 sum of the operands, left to right. */
const add = (first: number[], ...rest: number[][]) => [...first, ...rest.flatMap((x) => [...x, ...i32add])];
/** The v128 at byte address addr (an i32 local) + base (an i32 local, or none). */
const at = (addr: number, base?: number) => (base === undefined ? [...get(addr)] : add(get(addr), get(base)));
const load = (addr: number, base?: number) => [...at(addr, base), ...v128load(0)];
const store = (addr: number, base: number | undefined, value: number[]) => [...at(addr, base), ...value, ...v128store(0)];
/** t = b·w: tr = br·wr − bi·wi, ti = br·wi + bi·wr, as mfcc.ts forms it. */
const twiddle = (br: number, bi: number) => [
  ...get(br), ...get(WR), ...f64x2mul, ...get(bi), ...get(WI), ...f64x2mul, ...f64x2sub, ...set(TR),
  ...get(br), ...get(WI), ...f64x2mul, ...get(bi), ...get(WR), ...f64x2mul, ...f64x2add, ...set(TI),
];
const sum = (a: number, b: number) => [...get(a), ...get(b), ...f64x2add];
const diff = (a: number, b: number) => [...get(a), ...get(b), ...f64x2sub];
const twiddleAt = (table: number) => [...add(get(table), get(T1), get(J)), ...v128load(0)];

// prettier-ignore
const body = [
  ...get(H), ...set(IM),
  ...get(H), ...get(H), ...i32add, ...set(TC),
  ...get(TC), ...get(H), ...i32add, ...set(TS),
  ...block, ...loop, // one pass: stages of half-span HALF and 2·HALF
  ...get(HALF), ...i32const(1), ...i32shl, ...get(H), ...i32geS, ...brIf(1),
  ...get(HALF), ...i32const(8), ...i32sub, ...set(T1), // (half − 1)·8
  ...get(HALF), ...i32const(1), ...i32shl, ...i32const(8), ...i32sub, ...set(T2), // (2·half − 1)·8
  ...i32const(0), ...set(G),
  ...block, ...loop, // groups of 4·half
  ...get(G), ...get(H), ...i32geS, ...brIf(1),
  ...i32const(0), ...set(J),
  ...block, ...loop, // j and j + 1 of the group
  ...get(J), ...get(HALF), ...i32geS, ...brIf(1),
  ...add(get(G), get(J)), ...set(I0),
  ...add(get(I0), get(HALF)), ...set(I1),
  ...add(get(I1), get(HALF)), ...set(I2),
  ...add(get(I2), get(HALF)), ...set(I3),
  // Stage half, twiddle twX[half − 1 + j]: (i0, i1) → a, b and (i2, i3) → c, d.
  ...twiddleAt(TC), ...set(WR), ...twiddleAt(TS), ...set(WI),
  ...load(I1), ...set(XR), ...load(I1, IM), ...set(XI), ...twiddle(XR, XI),
  ...load(I0), ...set(XR), ...load(I0, IM), ...set(XI),
  ...sum(XR, TR), ...set(AR), ...sum(XI, TI), ...set(AI), ...diff(XR, TR), ...set(BR), ...diff(XI, TI), ...set(BI),
  ...load(I3), ...set(XR), ...load(I3, IM), ...set(XI), ...twiddle(XR, XI),
  ...load(I2), ...set(XR), ...load(I2, IM), ...set(XI),
  ...sum(XR, TR), ...set(CR), ...sum(XI, TI), ...set(CI), ...diff(XR, TR), ...set(DR), ...diff(XI, TI), ...set(DI),
  // Stage 2·half: (a, c) with twX[2·half − 1 + j], (b, d) with twX[2·half − 1 + half + j].
  ...add(get(TC), get(T2), get(J)), ...v128load(0), ...set(WR),
  ...add(get(TS), get(T2), get(J)), ...v128load(0), ...set(WI),
  ...twiddle(CR, CI),
  ...store(I0, undefined, sum(AR, TR)), ...store(I0, IM, sum(AI, TI)),
  ...store(I2, undefined, diff(AR, TR)), ...store(I2, IM, diff(AI, TI)),
  ...add(get(TC), get(T2), get(HALF), get(J)), ...v128load(0), ...set(WR),
  ...add(get(TS), get(T2), get(HALF), get(J)), ...v128load(0), ...set(WI),
  ...twiddle(DR, DI),
  ...store(I1, undefined, sum(BR, TR)), ...store(I1, IM, sum(BI, TI)),
  ...store(I3, undefined, diff(BR, TR)), ...store(I3, IM, diff(BI, TI)),
  ...get(J), ...i32const(16), ...i32add, ...set(J),
  ...br(0), ...end, ...end,
  ...get(G), ...get(HALF), ...i32const(2), ...i32shl, ...i32add, ...set(G),
  ...br(0), ...end, ...end,
  ...get(HALF), ...i32const(2), ...i32shl, ...set(HALF),
  ...br(0), ...end, ...end,
];

/**
 * The passes as a piece of a larger function (mel-frame-wasm.ts): its first two parameters
 * must be i32 h·8 and half·8 and its first locals PASSES_LOCALS (indices 2 to 26); half·8
 * is left in parameter 1.
 */
export const PASSES_BODY: readonly number[] = body;
export const PASSES_LOCALS: readonly [number, number][] = [
  [11, I32],
  [14, V128],
];
export const PASSES_LOCAL_COUNT = 2 + 11 + 14;
