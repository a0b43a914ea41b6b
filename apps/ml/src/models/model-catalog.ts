/**
 * Whisper models as whisper.cpp publishes them (models/download-ggml-model.sh,
 * SHA-1 from models/README.md), and the Silero VAD model (download-vad-model.sh).
 */
export interface CatalogModel {
  name: string;
  file: string;
  url: string;
  sha1?: string;
  approxMB: number;
}

const WHISPER_BASE = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const VAD_BASE = 'https://huggingface.co/ggml-org/whisper-vad/resolve/main';

const WHISPER: Array<[string, string, number]> = [
  ['tiny', 'bd577a113a864445d4c299885e0cb97d4ba92b5f', 75],
  ['tiny.en', 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df', 75],
  ['base', '465707469ff3a37a2b9b8d8f89f2f99de7299dac', 142],
  ['base.en', '137c40403d78fd54d454da0f9bd998f78703390c', 142],
  ['small', '55356645c2b361a969dfd0ef2c5a50d530afd8d5', 466],
  ['small.en', 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022', 466],
  ['medium', 'fd9727b6e1217c2f614f9b698455c4ffd82463b4', 1500],
  ['medium.en', '8c30f0e44ce9560643ebd10bbe50cd20eafd3723', 1500],
  ['large-v1', 'b1caaf735c4cc1429223d5a74f0f4d0b9b59a299', 2900],
  ['large-v2', '0f4c8e34f21cf1a914c59d8b3ce882345ad349d6', 2900],
  ['large-v3', 'ad82bf6a9043ceed055076d0fd39f5f186ff8062', 2900],
  ['large-v3-turbo', '4af2b29d7ec73d781377bfd1758ca957a807e941', 1500],
];

export const VAD_MODEL_FILE = 'ggml-silero-v6.2.0.bin';

export function modelCatalog(baseUrl?: string, vadBaseUrl?: string): Map<string, CatalogModel> {
  const m = new Map<string, CatalogModel>();
  for (const [name, sha1, approxMB] of WHISPER) {
    const file = `ggml-${name}.bin`;
    m.set(name, { name, file, url: `${baseUrl ?? WHISPER_BASE}/${file}`, sha1, approxMB });
  }
  m.set('vad', { name: 'vad', file: VAD_MODEL_FILE, url: `${vadBaseUrl ?? baseUrl ?? VAD_BASE}/${VAD_MODEL_FILE}`, approxMB: 1 });
  return m;
}

export const MODEL_NAMES = [...WHISPER.map(([n]) => n), 'vad'];
