/**
 * `npm run bench`: prints the project's speed and memory figures. Targets are
 * checked by reading these numbers, never by timing assertions in tests.
 */
import { main as transcribeRatio } from '../apps/ml/bench/transcribe-ratio.js';
import { main as memoryVsInput } from '../apps/ml/bench/memory-vs-input-size.js';
import { main as analysisSpeed } from '../apps/ml/bench/analysis-speed.js';
import { main as videoAnalysisSpeed, summary as videoAnalysisSummary } from '../apps/ml/bench/video-analysis-speed.js';
import { main as diarizationBench, report as diarizationReport } from '../apps/ml/bench/diarization-bench.js';
import { main as wholeJobRatio, report as wholeJobReport } from '../apps/ml/bench/whole-job-ratio.js';
import { main as serviceCpu, report as serviceCpuReport } from '../apps/ml/bench/service-cpu-during-whisper.js';
import { main as manyJobs, report as manyJobsReport } from './bench/many-jobs.js';
import { main as apiThroughput, report as apiReport } from './bench-api.js';

console.log('ECG benchmarks\n');
const r = await transcribeRatio();
console.log('1. transcription: service engine vs whisper-cli directly (66 s speech, tiny-shaped model, median of 3)');
console.log(`   whisper-cli ${r.reference.toFixed(2)} s, service ${r.service.toFixed(2)} s, ratio ${r.ratio.toFixed(3)} (target <= 1.10)\n`);
const mem = await memoryVsInput();
console.log('2. ML service peak memory by input size (same duration)');
for (const m of mem) console.log(`   ${m.label.padEnd(7)} (${(m.bytes / 1e6).toFixed(0)} MB file): peak RSS ${m.peakMB.toFixed(0)} MB`);
if (mem.length === 2) console.log(`   growth: ${(mem[1]!.peakMB - mem[0]!.peakMB).toFixed(0)} MB (target: flat)`);
const a = await analysisSpeed();
console.log('\n3. audio analysis (loudness, YIN pitch, waveform) speed');
console.log(`   ${a.audioSeconds.toFixed(0)} s of audio analysed in ${a.analysisSeconds.toFixed(2)} s: ${a.secondsPerAudioMinute.toFixed(3)} s per audio minute`);
const v = await videoAnalysisSpeed();
console.log('\n4. video analysis (one decode to 160 px frames, shot changes, thumbnail sprite), H.264 30 fps, median of 3');
console.log(`   ${videoAnalysisSummary(v)}`);
for (const x of v) console.log(`   ${x.label}: ffmpeg's decode of the same video alone ${x.decodeSecondsPerMinute.toFixed(2)} s per minute (the floor)`);
const dz = await diarizationBench();
console.log('\n5. speaker diarization (espeak-ng conversations and jfk.wav; DER with a 0.25 s collar, overlap not scored)');
for (const line of diarizationReport(dz)) console.log(`   ${line}`);
const wholeJobRuns = Number(process.env.BENCH_RUNS ?? 5);
const wj = await wholeJobRatio(wholeJobRuns);
console.log(`\n6. whole job (request-process to completed, real backend + ML processes, analysis and diarization on) vs whisper-cli directly (tiny-shaped model, 2 threads, greedy, median of ${wholeJobRuns}, runs alternated)`);
for (const line of wholeJobReport(wj)) console.log(`   ${line}`);
const cpuJobs = Number(process.env.BENCH_CPU_JOBS ?? 6);
const cpu = await serviceCpu(cpuJobs);
console.log(`\n6b. CPU the services used while whisper-cli ran (66 s speech, ${cpuJobs} jobs, ML service with and without its own Node.js flags)`);
for (const line of serviceCpuReport(cpu)) console.log(`   ${line}`);
const many = await manyJobs(Number(process.env.BENCH_JOBS ?? 200));
console.log('\n7. a backlog: jobs submitted at once (jfk.wav, micro test model, real backend + ML processes, embedded defaults)');
for (const line of manyJobsReport(many)) console.log(`   ${line}`);
const api = await apiThroughput();
console.log('\n8. API throughput, 50 concurrent clients (autocannon; npm run bench:api runs this alone)');
for (const line of apiReport(api)) console.log(`   ${line}`);
