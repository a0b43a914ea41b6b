import { runTool } from './run-tool.js';

/** True when this ffmpeg has the libass filters (`ass`, `subtitles`); false when it lacks them or does not run. */
export async function hasLibass(ffmpeg: string): Promise<boolean> {
  try {
    const run = await runTool(ffmpeg, ['-hide_banner', '-filters']);
    return run.code === 0 && /^\s*\S+\s+ass\s+V->V\b/m.test(run.stdout);
  } catch {
    return false;
  }
}
