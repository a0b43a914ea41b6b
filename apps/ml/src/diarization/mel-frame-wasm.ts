/**
 * A whole frame of mfcc.ts's `melEnergies` in one WebAssembly call: DC removal, pre-emphasis
 * and window, the bit-reversed load fused with the FFT's first two stages, the two-stage
 * passes (fft-wasm.ts's SIMD body, inlined), a last single stage when the stage count is odd,
 * the real-FFT untangle, the power spectrum and the mel filters. Before, only the passes ran
 * in WebAssembly and the JavaScript around them was ~38 ms of the diarizer's ~160 ms per 66 s
 * of speech (node --cpu-prof, 2026-12-01). With this kernel, measured on this project's
 * shared 2-core machine (2026-12-01, process.cpuUsage, median of 11, the 6610 frames of
 * 66 s of speech, alternated with the previous version in one process): 47–54 → 17–20 ms.
 *
 * The module is generated per extractor configuration: loops over the frame's samples
 * (mean, pre-emphasis and window), over stages 1 and 2, the passes and the untangle; the
 * filters unrolled, their weights in the code as f64.const. Unrolling the bit-reversed load
 * and the untangle as well (a 60 KB module) was slower, measured the same way: 30 ms
 * instead of 17–20, and the first diarization of a process 45 ms slower while V8 optimised it.
 *
 * Same bits as mfcc.ts's JavaScript: every float32 sample widens to f64 exactly, f64
 * arithmetic is IEEE 754 with no fused multiply-add and no reassociation, each expression is
 * emitted with the JavaScript's operand order and association (a + b·c − d·e is
 * (a + b·c) − d·e), the constants are the tables' own values (f64.const carries the 64 bits),
 * and x / 2 is emitted as x · 0.5, which rounds the same exact value. dsp-mfcc.test.ts holds
 * the two to each other.
 *
 * Memory (f64 unless said, h = n/2): re at 0, im at 8h, the per-stage twiddles at 16h and
 * 24h (fft-wasm.ts's layout), the zero-padded frame at 32h, the window at 48h, the frame's
 * float32 samples at 64h, the power spectrum at 72h, the energies after it, then e^{-2πik/n}
 * as cos and sin tables for the untangle, then the bytes of frame[2·rev[g]] (i32) for the
 * bit-reversed load.
 */
import {
  assembleKernel,
  block,
  br,
  brIf,
  compileKernel,
  end,
  F64,
  f32load,
  f64add,
  f64const,
  f64div,
  f64load,
  f64mul,
  f64neg,
  f64promoteF32,
  f64store,
  f64sub,
  get,
  I32,
  i32add,
  i32constAny,
  i32geS,
  i32gtS,
  i32load,
  i32sub,
  loop,
  set,
  type WasmMemory,
} from '../analysis/wasm-assemble.js';
import { PASSES_BODY, PASSES_LOCAL_COUNT, PASSES_LOCALS } from './fft-wasm.js';

export interface MelFrameSpec {
  /** n/2: the complex FFT's points; a power of two, at least 4. */
  h: number;
  frameLength: number;
  /** Bit-reversal of i < h over log2(h) bits. */
  rev: Uint32Array;
  /** The per-stage twiddles (index half − 1 + j). */
  twCos: Float64Array;
  twSin: Float64Array;
  /** e^{-2πik/n}, k < h. */
  cos: Float64Array;
  sin: Float64Array;
  /** The filters as (first bin, weights). */
  filters: readonly { first: number; weights: Float64Array }[];
}

export interface MelFrameLayout {
  tc: number;
  ts: number;
  window: number;
  samples: number;
  energies: number;
  cos: number;
  sin: number;
  /** i32 per point g: the byte of frame[2·rev[g]]. */
  rev: number;
  bytes: number;
}

export function melFrameLayout(h: number, melBins: number): MelFrameLayout {
  const energies = 72 * h + 8 * (h + 1);
  const cos = energies + 8 * melBins;
  return { tc: 16 * h, ts: 24 * h, window: 48 * h, samples: 64 * h, energies, cos, sin: cos + 8 * h, rev: cos + 16 * h, bytes: cos + 20 * h };
}

const ZERO = i32constAny(0);
/** The f64 at a fixed byte address. */
const ld = (addr: number) => [...ZERO, ...f64load(addr)];
/** Stores the f64 that `value` leaves at a fixed byte address. */
const st = (addr: number, value: number[]) => [...ZERO, ...value, ...f64store(addr)];
const c = f64const;

/** The module for one configuration: one function `frame()` reading the samples, writing the energies. */
export function melFrameModule(spec: MelFrameSpec): Uint8Array {
  const { h, frameLength: len, twCos, twSin, filters } = spec;
  const L = melFrameLayout(h, filters.length);
  const RE = 0;
  const IM = 8 * h;
  const FRAME = 32 * h;
  const POWER = 72 * h;
  // Locals after the passes' own: f64 scratch, then two i32 pointers.
  let next = PASSES_LOCAL_COUNT;
  const f = () => next++;
  const [MEAN, PREV, CUR] = [f(), f(), f()];
  const [R0, I0, R1, I1, R2, I2, R3, I3] = [f(), f(), f(), f(), f(), f(), f(), f()];
  const [AR, AI, BR, BI, CR, CI, DR, DI, TR, TI] = [f(), f(), f(), f(), f(), f(), f(), f(), f(), f()];
  const [ER, EI, OR, OI, XR, XI] = [f(), f(), f(), f(), f(), f()];
  const f64Count = next - PASSES_LOCAL_COUNT;
  const [P, Q, A0, A1, A2, A3] = [next++, next++, next++, next++, next++, next++];
  const g = get;
  const code: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const part of parts) code.push(...part);
  };

  // mean = Σ x_i (in order) / len.
  // prettier-ignore
  emit(
    c(0), set(MEAN),
    i32constAny(L.samples), set(P),
    block, loop,
    g(P), i32constAny(L.samples + 4 * len), i32geS, brIf(1),
    g(MEAN), g(P), f32load(0), f64promoteF32, f64add, set(MEAN),
    g(P), i32constAny(4), i32add, set(P),
    br(0), end, end,
    g(MEAN), c(len), f64div, set(MEAN),
  );
  // frame[0] = (x0 − mean)·0.03·w0; frame[i] = ((x_i − mean) − 0.97·(x_{i−1} − mean))·w_i.
  // prettier-ignore
  emit(
    ZERO, f32load(L.samples), f64promoteF32, g(MEAN), f64sub, set(PREV),
    ZERO, g(PREV), c(0.03), f64mul, ld(L.window), f64mul, f64store(FRAME),
    i32constAny(4), set(P), // byte of sample i in the samples
    i32constAny(8), set(Q), // byte of f64 i in the frame and window
    block, loop,
    g(P), i32constAny(4 * len), i32geS, brIf(1),
    g(P), f32load(L.samples), f64promoteF32, g(MEAN), f64sub, set(CUR),
    g(Q), g(CUR), c(0.97), g(PREV), f64mul, f64sub, g(Q), f64load(L.window), f64mul, f64store(FRAME),
    g(CUR), set(PREV),
    g(P), i32constAny(4), i32add, set(P),
    g(Q), i32constAny(8), i32add, set(Q),
    br(0), end, end,
  );
  // Stages 1 and 2 with the bit-reversed load (mfcc.ts's fft()), a group of four per turn:
  // P = 8g in re and im, Q = 4g in the table of load addresses. frame[len, n) stays 0.
  const wr2 = twCos[2]!;
  const wi2 = twSin[2]!;
  const ldAt = (a: number, offset: number) => [...g(a), ...f64load(offset)];
  const stAt = (offset: number, value: number[]) => [...g(P), ...value, ...f64store(offset)];
  // prettier-ignore
  emit(
    i32constAny(0), set(P), i32constAny(0), set(Q),
    block, loop,
    g(P), i32constAny(8 * h), i32geS, brIf(1),
    g(Q), i32load(L.rev), set(A0), g(Q), i32load(L.rev + 4), set(A1),
    g(Q), i32load(L.rev + 8), set(A2), g(Q), i32load(L.rev + 12), set(A3),
    ldAt(A0, 0), set(R0), ldAt(A0, 8), set(I0), ldAt(A1, 0), set(R1), ldAt(A1, 8), set(I1),
    ldAt(A2, 0), set(R2), ldAt(A2, 8), set(I2), ldAt(A3, 0), set(R3), ldAt(A3, 8), set(I3),
    g(R0), g(R1), f64add, set(AR), g(I0), g(I1), f64add, set(AI),
    g(R0), g(R1), f64sub, set(BR), g(I0), g(I1), f64sub, set(BI),
    g(R2), g(R3), f64add, set(CR), g(I2), g(I3), f64add, set(CI),
    g(R2), g(R3), f64sub, set(DR), g(I2), g(I3), f64sub, set(DI),
    stAt(RE, [...g(AR), ...g(CR), ...f64add]), stAt(IM, [...g(AI), ...g(CI), ...f64add]),
    stAt(RE + 16, [...g(AR), ...g(CR), ...f64sub]), stAt(IM + 16, [...g(AI), ...g(CI), ...f64sub]),
    g(DR), c(wr2), f64mul, g(DI), c(wi2), f64mul, f64sub, set(TR),
    g(DR), c(wi2), f64mul, g(DI), c(wr2), f64mul, f64add, set(TI),
    stAt(RE + 8, [...g(BR), ...g(TR), ...f64add]), stAt(IM + 8, [...g(BI), ...g(TI), ...f64add]),
    stAt(RE + 24, [...g(BR), ...g(TR), ...f64sub]), stAt(IM + 24, [...g(BI), ...g(TI), ...f64sub]),
    g(P), i32constAny(32), i32add, set(P),
    g(Q), i32constAny(16), i32add, set(Q),
    br(0), end, end,
  );
  // The two-stage passes from half = 4 (fft-wasm.ts), then the half they stopped at, found here the same way.
  emit(i32constAny(8 * h), set(0), i32constAny(32), set(1), [...PASSES_BODY]);
  let half = 4;
  while (2 * half < h) half <<= 2;
  if (half < h) {
    // The last single stage: b = j + half.
    for (let j = 0; j < half; j++) {
      const a = j;
      const b = j + half;
      const wr = twCos[half - 1 + j]!;
      const wi = twSin[half - 1 + j]!;
      // prettier-ignore
      emit(
        ld(RE + 8 * b), c(wr), f64mul, ld(IM + 8 * b), c(wi), f64mul, f64sub, set(TR),
        ld(RE + 8 * b), c(wi), f64mul, ld(IM + 8 * b), c(wr), f64mul, f64add, set(TI),
        ld(RE + 8 * a), set(AR), ld(IM + 8 * a), set(AI),
        st(RE + 8 * b, [...g(AR), ...g(TR), ...f64sub]), st(IM + 8 * b, [...g(AI), ...g(TI), ...f64sub]),
        st(RE + 8 * a, [...g(AR), ...g(TR), ...f64add]), st(IM + 8 * a, [...g(AI), ...g(TI), ...f64add]),
      );
    }
  }
  // Untangle (mfcc.ts's melEnergies): bins 0 and h, then k and l = h − k together.
  // prettier-ignore
  emit(
    ld(RE), set(ER), ld(IM), set(OR),
    st(POWER, [...g(ER), ...g(OR), ...f64add, ...g(ER), ...g(OR), ...f64add, ...f64mul]),
    st(POWER + 8 * h, [...g(ER), ...g(OR), ...f64sub, ...g(ER), ...g(OR), ...f64sub, ...f64mul]),
  );
  // Then k = 1, 2, ... with l = h − k while k ≤ l, as a loop over byte offsets P = 8k, Q = 8l
  // (unrolled, this was half the module and most of the time V8 took to optimise it).
  const cosK = [...g(P), ...f64load(L.cos)];
  const sinK = [...g(P), ...f64load(L.sin)];
  const cosL = [...g(Q), ...f64load(L.cos)];
  const sinL = [...g(Q), ...f64load(L.sin)];
  // prettier-ignore
  emit(
    i32constAny(8), set(P), i32constAny(8 * (h - 1)), set(Q),
    block, loop,
    g(P), g(Q), i32gtS, brIf(1),
    g(P), f64load(RE), set(AR), g(P), f64load(IM), set(AI), g(Q), f64load(RE), set(BR), g(Q), f64load(IM), set(BI),
    g(AR), g(BR), f64add, c(0.5), f64mul, set(ER),
    g(AI), g(BI), f64sub, c(0.5), f64mul, set(EI),
    g(AI), g(BI), f64add, c(0.5), f64mul, set(OR),
    g(AR), g(BR), f64sub, f64neg, c(0.5), f64mul, set(OI),
    // Bin k: xr = er + wr·or − wi·oi, xi = ei + wr·oi + wi·or.
    g(ER), cosK, g(OR), f64mul, f64add, sinK, g(OI), f64mul, f64sub, set(XR),
    g(EI), cosK, g(OI), f64mul, f64add, sinK, g(OR), f64mul, f64add, set(XI),
    g(P), g(XR), g(XR), f64mul, g(XI), g(XI), f64mul, f64add, f64store(POWER),
    // Bin l: xr = er + wr·or + wi·oi, xi = −ei − wr·oi + wi·or.
    g(ER), cosL, g(OR), f64mul, f64add, sinL, g(OI), f64mul, f64add, set(XR),
    g(EI), f64neg, cosL, g(OI), f64mul, f64sub, sinL, g(OR), f64mul, f64add, set(XI),
    g(Q), g(XR), g(XR), f64mul, g(XI), g(XI), f64mul, f64add, f64store(POWER),
    g(P), i32constAny(8), i32add, set(P),
    g(Q), i32constAny(8), i32sub, set(Q),
    br(0), end, end,
  );
  // The filters: e = 0, e += w·power[k] in bin order.
  filters.forEach(({ first, weights }, m) => {
    const sum = [...c(0)];
    weights.forEach((w, i) => sum.push(...c(w), ...ld(POWER + 8 * (first + i)), ...f64mul, ...f64add));
    emit(st(L.energies + 8 * m, sum));
  });
  return assembleKernel({
    name: 'frame',
    params: [I32, I32],
    results: [],
    locals: [...PASSES_LOCALS, [f64Count, F64], [6, I32]],
    body: code,
  });
}

export interface MelFrameKernel {
  readonly memory: WasmMemory;
  readonly layout: MelFrameLayout;
  /** One frame: the float32 samples at layout.samples → the energies at layout.energies. */
  frame(): void;
}

/**
 * An instance for this configuration, its memory grown to the layout and its window and
 * twiddle tables written; undefined without WebAssembly SIMD.
 */
export function createMelFrame(spec: MelFrameSpec, window: Float64Array): MelFrameKernel | undefined {
  const kernel = compileKernel<(h: number, half: number) => void>(melFrameModule(spec), 'frame');
  if (!kernel) return undefined;
  const { memory, fn } = kernel.instantiate();
  const layout = melFrameLayout(spec.h, spec.filters.length);
  const pages = Math.ceil(layout.bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  new Float64Array(memory.buffer, layout.tc, spec.twCos.length).set(spec.twCos);
  new Float64Array(memory.buffer, layout.ts, spec.twSin.length).set(spec.twSin);
  new Float64Array(memory.buffer, layout.window, window.length).set(window);
  new Float64Array(memory.buffer, layout.cos, spec.h).set(spec.cos);
  new Float64Array(memory.buffer, layout.sin, spec.h).set(spec.sin);
  const rev = new Int32Array(memory.buffer, layout.rev, spec.h);
  for (let g = 0; g < spec.h; g++) rev[g] = 32 * spec.h + 16 * spec.rev[g]!;
  return { memory, layout, frame: () => fn(0, 0) };
}
