/**
 * pitch-yin.ts's half-band low-pass and decimation by two in WebAssembly: every output is
 * centre·x[i] + Σ_k h_k·(x[i − k] + x[i + k]) over the odd k ≤ 11, rounded to float32. It was
 * most of the pitch tracker's JavaScript time in the diarizer (the tracker's `track` ~20 ms
 * per 66 s of speech, node --cpu-prof, 2026-12-01), a loop WebAssembly runs without the
 * JavaScript one's typed-array bounds checks, with the taps as constants in the code.
 * Measured on this project's shared 2-core machine (2026-12-01, process.cpuUsage, median of
 * 11, 66 s of speech at the diarizer's 20 ms hop, alternated with the JavaScript loop in one
 * process): the whole tracker 31–35 → 23–26 ms.
 *
 * Same bits as the JavaScript loop: every float32 sample is widened to f64 exactly, the
 * terms are formed and added in the JavaScript order (acc = centre·x; acc += h_k·(a + b),
 * k = 1, 3, ..., 11) with IEEE 754 f64 arithmetic and no fused multiply-add, and
 * f32.demote_f64 rounds to nearest, ties to even, as a Float32Array store does.
 *
 * Memory: the caller copies the input samples in (float32) and reads the outputs (float32)
 * back from where it asked them to go. Undefined where WebAssembly is missing.
 */
import {
  assembleKernel,
  block,
  br,
  brIf,
  compileKernel,
  end,
  f32demoteF64,
  f32load,
  f32store,
  f64add,
  f64const,
  f64mul,
  f64promoteF32,
  get,
  I32,
  i32add,
  i32const,
  i32geS,
  loop,
  set,
  type WasmMemory,
} from './wasm-assemble.js';

/** decimate(src, dst, dstEnd): byte offsets; output i (at dst + 4i) is centred on the float32 at src + 44 + 8i. */
const [SRC, DST, DST_END] = [0, 1, 2];

/** The kernel for a half-band filter of odd taps `taps` (taps[0] the centre, taps[k] for ±k, even k > 0 unused). */
export function halfBandModule(taps: Float64Array): Uint8Array {
  const reach = taps.length - 1;
  const sample = (offset: number) => [...get(SRC), ...f32load(4 * (reach + offset)), ...f64promoteF32];
  const output = [...f64const(taps[0]!), ...sample(0), ...f64mul];
  for (let k = 1; k <= reach; k += 2) output.push(...f64const(taps[k]!), ...sample(-k), ...sample(k), ...f64add, ...f64mul, ...f64add);
  // prettier-ignore
  const body = [
    ...block, ...loop,
    ...get(DST), ...get(DST_END), ...i32geS, ...brIf(1),
    ...get(DST), ...output, ...f32demoteF64, ...f32store(0),
    ...get(SRC), ...i32const(8), ...i32add, ...set(SRC),
    ...get(DST), ...i32const(4), ...i32add, ...set(DST),
    ...br(0), ...end, ...end,
  ];
  return assembleKernel({ name: 'decimate', params: [I32, I32, I32], results: [], locals: [], body });
}

export interface HalfBand {
  /** Where the input and output samples live; grow it, then re-take views. */
  readonly memory: WasmMemory;
  /**
   * Outputs into the float32s from byte dst to dstEnd: output i from the input float32s at
   * byte src + 8i − 4·reach to src + 8i + 4·reach (src is the byte of the first output's
   * leftmost input, so that input's reach is all at non-negative offsets).
   */
  decimate(src: number, dst: number, dstEnd: number): void;
}

/** An instance (its own memory) of the kernel for these taps, or undefined without WebAssembly. */
export function createHalfBand(taps: Float64Array): HalfBand | undefined {
  const kernel = compileKernel<HalfBand['decimate']>(halfBandModule(taps), 'decimate');
  if (!kernel) return undefined;
  const { memory, fn } = kernel.instantiate();
  return { memory, decimate: fn };
}
