import { open } from 'node:fs/promises';
import { GGML_MAGIC, type ModelShape } from './make-test-model.js';

/** A model's hyper-parameters as its file states them (ftype may be any ggml type, not only 0/1). */
export interface ModelHeader extends Omit<ModelShape, 'ftype'> {
  ftype: number;
  multilingual: boolean;
}

/** Reads and checks a whisper.cpp model's header; throws a sentence a person can act on. */
export async function readModelHeader(path: string): Promise<ModelHeader> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    throw new Error(`model file not found: ${path}`);
  }
  try {
    const buf = Buffer.alloc(48);
    const { bytesRead } = await fh.read(buf, 0, 48, 0);
    if (bytesRead < 48 || buf.readUInt32LE(0) !== GGML_MAGIC) {
      throw new Error(`${path} is not a whisper.cpp ggml model (bad magic); download one with npm run model:download`);
    }
    const v = Array.from({ length: 11 }, (_, i) => buf.readInt32LE(4 + i * 4));
    const [nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftype] = v as [number, number, number, number, number, number, number, number, number, number, number];
    if (nVocab < 50000 || nAudioState <= 0 || nTextState <= 0 || nMels <= 0) {
      throw new Error(`${path} has implausible hyper-parameters; it is not a Whisper model`);
    }
    return { nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftype, multilingual: nVocab >= 51865 };
  } finally {
    await fh.close();
  }
}
