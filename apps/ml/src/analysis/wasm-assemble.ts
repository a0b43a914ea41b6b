/**
 * The few WebAssembly instructions ECG's DSP kernels use (yin-difference-wasm.ts,
 * fft-wasm.ts), written by name so a kernel reads as a listing rather than an opaque
 * blob: WebAssembly core spec 2.0, §5 binary format, vector instructions in §5.4.
 * Each helper returns the instruction's bytes; a kernel is their concatenation.
 */

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
/** Small non-negative n only: its unsigned LEB128 is then also the signed one (bit 6 of the last byte is 0). */
export const i32const = (n: number) => {
  if (!(n >= 0 && n < 64)) throw new RangeError(`i32const takes 0..63 here, got ${n}`);
  return [0x41, n];
};
/** Any i32, signed LEB128. */
export const i32constAny = (n: number) => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return [0x41, ...out];
    }
    out.push(b | 0x80);
  }
};
export const i32eqz = [0x45];
export const i32geS = [0x4e];
export const i32gtS = [0x4a];
export const i32add = [0x6a];
export const i32sub = [0x6b];
export const i32shl = [0x74];
export const i32load = (offset: number) => [0x28, 2, ...uleb(offset)];
export const f32load = (offset: number) => [0x2a, 2, ...uleb(offset)];
export const f32store = (offset: number) => [0x38, 2, ...uleb(offset)];
export const f64load = (offset: number) => [0x2b, 3, ...uleb(offset)];
export const f64store = (offset: number) => [0x39, 3, ...uleb(offset)];
export const f64add = [0xa0];
export const f64sub = [0xa1];
export const f64mul = [0xa2];
export const f64div = [0xa3];
export const f64neg = [0x9a];
/** f64.const with exactly x's bits (little-endian IEEE 754). */
export const f64const = (x: number) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, x, true);
  return [0x44, ...bytes];
};
export const f64promoteF32 = [0xbb];
/** Rounds to nearest, ties to even: what a Float32Array store does to a number. */
export const f32demoteF64 = [0xb6];
// Alignment hint 8 bytes; WebAssembly allows any alignment, the hint only says what to expect.
export const v128load = (offset: number) => [0xfd, ...uleb(0x00), 3, ...uleb(offset)];
export const v128store = (offset: number) => [0xfd, ...uleb(0x0b), 3, ...uleb(offset)];
export const v128zero = [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)];
export const f64x2lane = (l: number) => [0xfd, ...uleb(0x21), l]; // f64x2.extract_lane
export const f64x2splat = [0xfd, ...uleb(0x14)];
/** v128.const of two f64 lanes, each with exactly its number's bits. */
export const f64x2const = (lane0: number, lane1: number) => {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, lane0, true);
  view.setFloat64(8, lane1, true);
  return [0xfd, ...uleb(0x0c), ...bytes];
};
export const f64x2add = [0xfd, ...uleb(0xf0)];
export const f64x2sub = [0xfd, ...uleb(0xf1)];
export const f64x2mul = [0xfd, ...uleb(0xf2)];
export const block = [0x02, 0x40];
export const loop = [0x03, 0x40];
export const end = [0x0b];
export const br = (depth: number) => [0x0c, ...uleb(depth)];
export const brIf = (depth: number) => [0x0d, ...uleb(depth)];

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

export interface KernelSpec {
  /** Exported name of the one function. */
  name: string;
  params: number[];
  results: number[];
  /** Local declarations after the parameters: [count, type] runs. */
  locals: [number, number][];
  /** The function's instructions, without the final `end`. */
  body: number[];
}

/** A module with one memory (exported as `memory`, one 64 KiB page to start) and one exported function. */
export function assembleKernel(k: KernelSpec): Uint8Array {
  const code = [...uleb(k.locals.length), ...k.locals.flatMap(([n, t]) => [...uleb(n), t]), ...k.body, ...end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...uleb(k.params.length), ...k.params, ...uleb(k.results.length), ...k.results]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name(k.name), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

/** The memory of a WebAssembly instance, as much of it as the kernels' callers use. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// The WebAssembly global as far as used here: the project's TypeScript libs (ES2022, @types/node 20)
// do not declare it, though Node has it.
declare const WebAssembly:
  | {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    }
  | undefined;

/**
 * Compiles a kernel, or returns undefined where WebAssembly (or its SIMD) is missing; then
 * `instantiate()` gives an instance with its own memory and the function.
 */
export function compileKernel<F>(bytes: Uint8Array, fn: string): { instantiate(): { memory: WasmMemory; fn: F } } | undefined {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
  const wasm = WebAssembly;
  const module = new wasm.Module(bytes);
  return {
    instantiate() {
      const exports = new wasm.Instance(module).exports as unknown as Record<string, unknown>;
      return { memory: exports.memory as WasmMemory, fn: exports[fn] as F };
    },
  };
}
