/**
 * Writes a random-weight Whisper model in whisper.cpp's ggml format, with real
 * tensor names and shapes. Model weights cannot be downloaded in CI, so tests
 * and benchmarks run the real inference path (whisper-cli, the real encoder
 * and decoder graphs, real timestamps) on these. They transcribe gibberish:
 * they prove the plumbing, never the accuracy.
 *
 * Layout (whisper.cpp's models/convert-pt-to-ggml.py): magic, 11 int32
 * hyper-parameters, the mel filterbank, the vocabulary, then tensors until EOF.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const GGML_MAGIC = 0x67676d6c;

export interface ModelShape {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  /** 0 = f32, 1 = f16 for 2-D weights. */
  ftype: 0 | 1;
}

export const TEST_MODEL_SHAPES: Record<'micro' | 'tiny', ModelShape> = {
  // A few MB: loads and decodes in about a second; for tests.
  micro: { nVocab: 51865, nAudioCtx: 1500, nAudioState: 64, nAudioHead: 2, nAudioLayer: 1, nTextCtx: 448, nTextState: 64, nTextHead: 2, nTextLayer: 1, nMels: 80, ftype: 1 },
  // The real tiny shapes (~78 MB): realistic encoder cost; for benchmarks.
  tiny: { nVocab: 51865, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 4, nMels: 80, ftype: 1 },
};

/** Base (non-special) tokens of the multilingual GPT-2 style vocabulary; whisper.cpp adds the specials. */
const BASE_TOKENS_MULTILINGUAL = 50257;
const BASE_TOKENS_ENGLISH = 50256;

/** mulberry32: tiny, fast, deterministic; quality is irrelevant for random weights. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE 754 single → half, round to nearest even; enough for random weights. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - e);
    if (mant & 0x1000) mant += 0x2000;
    return sign | (mant >>> 13);
  }
  if (mant & 0x1000) {
    mant += 0x2000;
    if (mant & 0x800000) {
      mant = 0;
      e += 1;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | (mant >>> 13);
}

function hzToMelSlaney(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logstep : hz / fSp;
}

function melToHzSlaney(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logstep * (mel - minLogMel)) : fSp * mel;
}

/** librosa.filters.mel(sr=16000, n_fft=400, n_mels, htk=False, norm='slaney'), row-major [n_mels][201]. */
export function melFilterbank(nMels: number, sampleRate = 16000, nFft = 400): Float32Array {
  const nFreqs = nFft / 2 + 1;
  const fftFreqs = Array.from({ length: nFreqs }, (_, i) => (i * sampleRate) / nFft);
  const minMel = hzToMelSlaney(0);
  const maxMel = hzToMelSlaney(sampleRate / 2);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHzSlaney(minMel + ((maxMel - minMel) * i) / (nMels + 1)));
  const out = new Float32Array(nMels * nFreqs);
  for (let m = 0; m < nMels; m++) {
    const lo = melF[m]!;
    const mid = melF[m + 1]!;
    const hi = melF[m + 2]!;
    const enorm = 2 / (hi - lo);
    for (let k = 0; k < nFreqs; k++) {
      const f = fftFreqs[k]!;
      const lower = (f - lo) / (mid - lo);
      const upper = (hi - f) / (hi - mid);
      out[m * nFreqs + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}

const ONSETS = ['', 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'ch', 'sh', 'th'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea'];
const CODAS = ['', '', 'n', 's', 't', 'r', 'l', 'm'];

/**
 * There is no GPT-2 vocabulary offline; deterministic pronounceable ASCII
 * pieces make the gibberish readable and keep the JSON output valid UTF-8.
 * About half start with a space so the decoder forms "words".
 */
export function syntheticToken(i: number): string {
  // GPT-2's first tokens are the printable ASCII bytes and 220 is a lone space;
  // whisper.cpp looks some of these up by text (" " must exist) and so do we.
  if (i < 94) return String.fromCharCode(33 + i);
  if (i === 220) return ' ';
  const o = ONSETS[i % ONSETS.length]!;
  const v = VOWELS[Math.floor(i / ONSETS.length) % VOWELS.length]!;
  const c = CODAS[Math.floor(i / (ONSETS.length * VOWELS.length)) % CODAS.length]!;
  const variant = Math.floor(i / (ONSETS.length * VOWELS.length * CODAS.length));
  const piece = o + v + c + (variant > 0 ? VOWELS[variant % VOWELS.length]! : '');
  return (i % 2 === 0 ? ' ' : '') + piece;
}

interface TensorSpec {
  name: string;
  ne: number[];
  type: 0 | 1;
  init: 'zeros' | 'ones' | 'normal';
  std: number;
}

function tensorList(s: ModelShape): TensorSpec[] {
  const wt = s.ftype;
  const t: TensorSpec[] = [];
  const add = (name: string, ne: number[], type: 0 | 1, init: TensorSpec['init'], std = 0) => t.push({ name, ne, type, init, std });
  const lin = (n: number) => 1 / Math.sqrt(n);
  add('encoder.positional_embedding', [s.nAudioState, s.nAudioCtx], 0, 'normal', 0.02);
  add('encoder.conv1.weight', [3, s.nMels, s.nAudioState], wt, 'normal', lin(3 * s.nMels));
  add('encoder.conv1.bias', [1, s.nAudioState], 0, 'zeros');
  add('encoder.conv2.weight', [3, s.nAudioState, s.nAudioState], wt, 'normal', lin(3 * s.nAudioState));
  add('encoder.conv2.bias', [1, s.nAudioState], 0, 'zeros');
  const block = (prefix: string, n: number, cross: boolean) => {
    const attn = (a: string) => {
      add(`${prefix}.${a}_ln.weight`, [n], 0, 'ones');
      add(`${prefix}.${a}_ln.bias`, [n], 0, 'zeros');
      add(`${prefix}.${a}.query.weight`, [n, n], wt, 'normal', lin(n));
      add(`${prefix}.${a}.query.bias`, [n], 0, 'zeros');
      add(`${prefix}.${a}.key.weight`, [n, n], wt, 'normal', lin(n));
      add(`${prefix}.${a}.value.weight`, [n, n], wt, 'normal', lin(n));
      add(`${prefix}.${a}.value.bias`, [n], 0, 'zeros');
      add(`${prefix}.${a}.out.weight`, [n, n], wt, 'normal', lin(n));
      add(`${prefix}.${a}.out.bias`, [n], 0, 'zeros');
    };
    attn('attn');
    if (cross) attn('cross_attn');
    add(`${prefix}.mlp_ln.weight`, [n], 0, 'ones');
    add(`${prefix}.mlp_ln.bias`, [n], 0, 'zeros');
    add(`${prefix}.mlp.0.weight`, [n, 4 * n], wt, 'normal', lin(n));
    add(`${prefix}.mlp.0.bias`, [4 * n], 0, 'zeros');
    add(`${prefix}.mlp.2.weight`, [4 * n, n], wt, 'normal', lin(4 * n));
    add(`${prefix}.mlp.2.bias`, [n], 0, 'zeros');
  };
  for (let i = 0; i < s.nAudioLayer; i++) block(`encoder.blocks.${i}`, s.nAudioState, false);
  add('encoder.ln_post.weight', [s.nAudioState], 0, 'ones');
  add('encoder.ln_post.bias', [s.nAudioState], 0, 'zeros');
  add('decoder.positional_embedding', [s.nTextState, s.nTextCtx], 0, 'normal', 0.02);
  // A wide spread here, or greedy decoding emits only timestamp tokens (measured).
  add('decoder.token_embedding.weight', [s.nTextState, s.nVocab], wt, 'normal', 0.5);
  for (let i = 0; i < s.nTextLayer; i++) block(`decoder.blocks.${i}`, s.nTextState, true);
  add('decoder.ln.weight', [s.nTextState], 0, 'ones');
  add('decoder.ln.bias', [s.nTextState], 0, 'zeros');
  return t;
}

class FileWriter {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  int32s(values: number[]): void {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeInt32LE(v, i * 4));
    this.bytes(b);
  }
  bytes(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Writes the model to `outPath` atomically (temp file + rename). Deterministic for a given seed. */
export function writeTestModel(outPath: string, shape: ModelShape, seed = 42): void {
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  const w = new FileWriter(tmp);
  try {
    w.int32s([GGML_MAGIC]);
    w.int32s([shape.nVocab, shape.nAudioCtx, shape.nAudioState, shape.nAudioHead, shape.nAudioLayer, shape.nTextCtx, shape.nTextState, shape.nTextHead, shape.nTextLayer, shape.nMels, shape.ftype]);
    const filters = melFilterbank(shape.nMels);
    w.int32s([shape.nMels, 201]);
    w.bytes(new Uint8Array(filters.buffer, filters.byteOffset, filters.byteLength));

    const nBase = shape.nVocab >= 51865 ? BASE_TOKENS_MULTILINGUAL : BASE_TOKENS_ENGLISH;
    w.int32s([nBase]);
    const vocabChunks: Buffer[] = [];
    for (let i = 0; i < nBase; i++) {
      const tok = Buffer.from(syntheticToken(i), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(tok.length);
      vocabChunks.push(len, tok);
    }
    w.bytes(Buffer.concat(vocabChunks));

    const normal = gaussian(prng(seed));
    const CHUNK = 1 << 20;
    for (const t of tensorList(shape)) {
      const name = Buffer.from(t.name, 'utf8');
      w.int32s([t.ne.length, name.length, t.type, ...t.ne]);
      w.bytes(name);
      const count = t.ne.reduce((a, b) => a * b, 1);
      for (let done = 0; done < count; done += CHUNK) {
        const n = Math.min(CHUNK, count - done);
        const value = () => (t.init === 'zeros' ? 0 : t.init === 'ones' ? 1 : normal() * t.std);
        if (t.type === 0) {
          const a = new Float32Array(n);
          for (let i = 0; i < n; i++) a[i] = value();
          w.bytes(new Uint8Array(a.buffer));
        } else {
          const a = new Uint16Array(n);
          for (let i = 0; i < n; i++) a[i] = toHalf(value());
          w.bytes(new Uint8Array(a.buffer));
        }
      }
    }
    w.close();
    renameSync(tmp, outPath);
  } catch (err) {
    try {
      w.close();
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
