// The one report of a benchmark run: knees side by side with ratios, each system at 50% and 80%
// of its own knee, Weft's own figures (accept, first step, CPU and memory), and the targets.
import type { Percentiles, ResultRow, StepCost, SystemResult } from './report-shape';

const ms = (p: Percentiles | null | undefined) =>
  !p || p.p50 === null ? '—' : `${p.p50} / ${p.p99} / ${p.p999}`;

function kneeOf(system: SystemResult, workload: string): number | null {
  return system.knees.find((knee) => knee.workload === workload)?.runsPerSecond ?? null;
}

function rowAt(system: SystemResult, workload: string, phase: ResultRow['phase']) {
  return system.rows.find((row) => row.workload === workload && row.phase === phase);
}

function ratio(ours: number | null | undefined, theirs: number | null | undefined): string {
  if (ours == null || theirs == null || theirs === 0) return '—';
  return `${(ours / theirs).toFixed(2)}×`;
}

export function formatSummary(systems: SystemResult[], quick: boolean): string {
  const weft = systems.find((system) => system.system === 'weft');
  // Ratios need Weft and something to divide by.
  const others = weft ? systems.filter((system) => system !== weft) : [];
  const ratioHeads = others.map((s) => ` Weft ÷ ${s.system} |`).join('');
  const ratioRule = others.map(() => ' --- |').join('');
  const workloads = [...new Set(systems.flatMap((system) => system.knees.map((k) => k.workload)))];
  const lines: string[] = [
    `# Benchmark: ${quick ? 'quick' : 'full'} run`,
    '',
    `Machine: ${systems[0]?.machine ?? 'unknown'}. Everything on one box: broker, database, every system, the load.`,
    '',
    '## Knees (runs/s each system kept up with; ratios are Weft ÷ the other)',
    '',
    `| workload | ${systems.map((s) => s.system).join(' | ')} |${ratioHeads}`,
    `| --- | ${systems.map(() => '---').join(' | ')} |${ratioRule}`,
  ];
  for (const workload of workloads) {
    const knees = systems.map((system) => {
      const knee = system.knees.find((k) => k.workload === workload);
      if (!knee || knee.runsPerSecond === null) return '—';
      return `${knee.reached ? '' : '≥ '}${knee.runsPerSecond}`;
    });
    const ours = weft ? kneeOf(weft, workload) : null;
    lines.push(
      `| ${workload} | ${knees.join(' | ')} |${others.map((s) => ` ${ratio(ours, kneeOf(s, workload))} |`).join('')}`,
    );
  }
  for (const phase of ['50% of knee', '80% of knee'] as const) {
    lines.push(
      '',
      `## At ${phase} (each system at its own knee; ms: p50 / p99 / p99.9)`,
      '',
      '| workload | system | offered runs/s | runs/s | steps/s | end-to-end ms | step overhead ms |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const workload of workloads) {
      for (const system of systems) {
        const row = rowAt(system, workload, phase);
        if (!row) continue;
        lines.push(
          `| ${workload} | ${system.system} | ${row.rate} | ${row.runsPerSecond.toFixed(1)} | ${row.stepsPerSecond.toFixed(0)} | ${ms(row.endToEndMs)} | ${ms(row.stepOverheadMs)} |`,
        );
      }
    }
  }
  if (weft && others.length > 0) {
    lines.push(
      '',
      '## Step overhead ratios at 50% of each knee (p50; Weft ÷ the other)',
      '',
      `| workload | ${others.map((s) => `Weft ÷ ${s.system}`).join(' | ')} |`,
      `| --- | ${others.map(() => '---').join(' | ')} |`,
    );
    for (const workload of workloads) {
      const ours = rowAt(weft, workload, '50% of knee')?.stepOverheadMs?.p50;
      if (ours == null) continue;
      lines.push(
        `| ${workload} | ${others.map((s) => ratio(ours, rowAt(s, workload, '50% of knee')?.stepOverheadMs?.p50)).join(' | ')} |`,
      );
    }
  }
  if (weft) {
    lines.push(
      '',
      '## Weft in detail (ms: p50 / p99 / p99.9; CPU in % of one core, peak RSS in MB)',
      '',
      '| workload | phase | accept ms | accepted → first step ms | CPU % and RSS by process |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const row of weft.rows.filter((r) => r.phase !== 'ladder')) {
      const usage = (row.usage ?? [])
        .map((u) => `${u.name} ${u.cpuPercent}% ${u.peakRssMb} MB`)
        .join(', ');
      lines.push(
        `| ${row.workload} | ${row.phase} | ${ms(row.acceptMs)} | ${ms(row.firstStepMs)} | ${usage} |`,
      );
    }
    lines.push('', ...costBudget(systems), '', ...history(weft, systems), ...targets(weft));
  }
  for (const system of systems) {
    for (const note of system.notes) lines.push(`- ${system.system}: ${note}`);
  }
  return lines.join('\n');
}

/** With `--history`: each knee with the ended runs preloaded, beside the empty database's. */
function history(weft: SystemResult, systems: SystemResult[]): string[] {
  const loaded = systems.find((system) => /^weft, \d+ ended runs$/.test(system.system));
  if (!loaded) return [];
  const lines = [
    `## History: knees on a database holding ${loaded.system.slice('weft, '.length)}`,
    '',
    '| workload | empty database | with history | ratio | within 10% |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const { workload } of weft.knees) {
    const empty = kneeOf(weft, workload);
    const full = kneeOf(loaded, workload);
    const within = empty === null || full === null ? '—' : full >= empty * 0.9 ? 'yes' : 'no';
    lines.push(
      `| ${workload} | ${empty ?? '—'} | ${full ?? '—'} | ${ratio(full, empty)} | ${within} |`,
    );
  }
  return [...lines, ''];
}

/** Weft's own services: the gateway, the orchestrator and every worker process. */
const isWeftService = (cost: StepCost) => /^(gateway|orchestrator|worker)/.test(cost.name);

/** CPU ms per completed step summed over Weft's own services; null when not measured. */
function servicesCpuPerStep(row: ResultRow): number | null {
  const own = (row.costs ?? []).filter(isWeftService);
  if (own.length === 0) return null;
  return Math.round(own.reduce((sum, cost) => sum + cost.cpuMsPerStep, 0) * 100) / 100;
}

/** Per Weft system and workload at 50% and 80% of its knee: what a completed step cost. */
function costBudget(systems: SystemResult[]): string[] {
  const lines = [
    '## Cost budget per completed step (Weft at 50% and 80% of its knee)',
    '',
    'CPU ms of each process, and database commands and Kafka requests of each Weft service, per',
    'step completed while the rate was offered; "Weft services" sums the gateway, orchestrator',
    'and workers.',
    '',
    '| system | workload | phase | process | CPU ms | database commands | Kafka requests |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const figure = (value: number | undefined) => (value === undefined ? '—' : String(value));
  for (const system of systems.filter((s) => s.rows.some((row) => row.costs))) {
    for (const row of system.rows.filter((r) => r.phase !== 'ladder' && r.costs)) {
      const costs = row.costs ?? [];
      const own = costs.filter(isWeftService);
      const total = (pick: (cost: StepCost) => number | undefined) => {
        const known = own.map(pick).filter((value) => value !== undefined);
        if (known.length === 0) return '—';
        return String(Math.round(known.reduce((sum, value) => sum + value, 0) * 100) / 100);
      };
      for (const cost of costs) {
        lines.push(
          `| ${system.system} | ${row.workload} | ${row.phase} | ${cost.name} | ${cost.cpuMsPerStep} | ${figure(cost.databaseCommandsPerStep)} | ${figure(cost.kafkaRequestsPerStep)} |`,
        );
      }
      lines.push(
        `| ${system.system} | ${row.workload} | ${row.phase} | **Weft services** | **${total((c) => c.cpuMsPerStep)}** | **${total((c) => c.databaseCommandsPerStep)}** | **${total((c) => c.kafkaRequestsPerStep)}** |`,
      );
    }
  }
  return lines;
}

/** The issue's targets, against Weft's rows at 50% of the knee (steps/s: the best knee). */
function targets(weft: SystemResult): string[] {
  const at50 = weft.rows.filter((row) => row.phase === '50% of knee');
  const worst = (pick: (row: ResultRow) => number | null | undefined) =>
    Math.max(...at50.map((row) => pick(row) ?? Number.NaN).filter((v) => !Number.isNaN(v)));
  // No-op steps a second at the best rate Weft kept up with.
  const bestSteps = Math.max(
    0,
    ...weft.rows
      .filter((row) => !row.workload.includes('50 ms'))
      .filter((row) => !row.notes.some((note) => note.startsWith('overloaded')))
      .map((row) => row.stepsPerSecond),
  );
  const check = (label: string, value: number, limit: number, atMost: boolean) =>
    `| ${label} | ${Number.isFinite(value) ? value : '—'} | ${atMost ? '≤' : '≥'} ${limit} | ${Number.isFinite(value) && (atMost ? value <= limit : value >= limit) ? 'met' : 'not met'} |`;
  return [
    '## Targets (Weft at 50% of its knee, worst workload)',
    '',
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    check(
      'step overhead p50, ms',
      worst((r) => r.stepOverheadMs?.p50),
      5,
      true,
    ),
    check(
      'step overhead p99, ms',
      worst((r) => r.stepOverheadMs?.p99),
      25,
      true,
    ),
    check('completed no-op steps/s (best rate kept up with)', bestSteps, 1000, false),
    check(
      "Weft services' CPU per completed no-op step, ms",
      Math.max(
        ...at50
          .filter((row) => !row.workload.includes('50 ms'))
          .map((row) => servicesCpuPerStep(row) ?? Number.NaN)
          .filter((v) => !Number.isNaN(v)),
      ),
      2,
      true,
    ),
    check(
      'accepted → first step p99, ms',
      worst((r) => r.firstStepMs?.p99),
      50,
      true,
    ),
    check(
      'API accept p99, ms',
      worst((r) => r.acceptMs?.p99),
      10,
      true,
    ),
  ];
}
