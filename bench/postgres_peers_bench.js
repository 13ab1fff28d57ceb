// The peers of bench/postgres_queue_bench.cc on the same PostgreSQL server: pg-boss and
// graphile-worker (installed by scripts/install-pg-peers.sh into .cache/npm), each running the
// same two end-to-end workloads as ours: `producers` producers (default 1) enqueue the jobs between
// them, one call at a time each, while `consumers` consumers take them and complete every one.
//  - batch10 (N jobs): pg-boss insert() of 10, fetch(10), complete(10 ids); graphile-worker
//    enqueues 10 per call with its SQL graphile_worker.add_jobs() (0.16 has no addJobs() in JS)
//    and, having no batch fetch or completion, runs each job through its own runner
//    (concurrency = consumers), which takes and completes one job per transaction.
//  - single (N/10 jobs, as ours): pg-boss send(), fetch(1), complete(1); graphile-worker addJob().
// Prints one JSON object per line, like the C++ benchmark:
//   {"bench":"pgboss_e2e_batch10","messages":…,"seconds":…,"messages_per_second":…}
// Usage: node postgres_peers_bench.js --url postgresql://… [--messages N] [--consumers N]
//        [--producers N] [--only pgboss|graphile]
// Every run is bounded by its count and by 120 s.
'use strict';
const path = require('path');
const modules = path.join(__dirname, '..', '.cache', 'npm', 'node_modules');
const PgBoss = require(path.join(modules, 'pg-boss'));
const graphile = require(path.join(modules, 'graphile-worker'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const url = arg('--url', '');
const messages = Number(arg('--messages', '20000'));
const consumers = Number(arg('--consumers', '4'));
const producers = Number(arg('--producers', '1'));
const only = arg('--only', 'all');  // pgboss | graphile | all
if (!url) {
  console.error('postgres_peers_bench: --url postgresql://… is required');
  process.exit(2);
}
const limitMs = 120000;
const body = { payload: 'x'.repeat(200) };
const emit = (o) => console.log(JSON.stringify(o));

// Messages producer p of `producers` sends out of `total`.
function share(total, p) {
  return Math.floor(total / producers) + (p < total % producers ? 1 : 0);
}

// One JSON line for a finished run of `system` that started at `start` (ms).
function emitRun(system, batch, consumed, total, start) {
  const seconds = (Date.now() - start) / 1000;
  emit({
    bench: batch === 1 ? `${system}_e2e_single` : `${system}_e2e_batch${batch}`,
    messages: consumed,
    batch,
    consumers,
    producers,
    seconds,
    messages_per_second: consumed / seconds,
    complete: consumed >= total
  });
}

async function pgBoss(batch, total) {
  const boss =
      new PgBoss({connectionString: url, max: consumers + producers + 1, schema: 'pgboss_bench'});
  boss.on('error', (e) => console.error('pg-boss:', e.message));
  await boss.start();
  const queue = `bench-e2e-${batch}`;
  const start = Date.now();
  const deadline = start + limitMs;
  let consumed = 0;
  const producer = async (p) => {
    for (let sent = 0; sent < share(total, p) && Date.now() < deadline; sent += batch) {
      if (batch === 1) {
        await boss.send(queue, body);
        continue;
      }
      const jobs = [];
      for (let i = 0; i < batch && sent + i < share(total, p); i++) jobs.push({name: queue, data: body});
      await boss.insert(jobs);
    }
  };
  const consumer = async () => {
    while (consumed < total && Date.now() < deadline) {
      const jobs = await boss.fetch(queue, batch);
      if (!jobs || jobs.length === 0) {
        await new Promise((r) => setTimeout(r, 5));  // pg-boss has no long poll: its own loop polls
        continue;
      }
      await boss.complete(jobs.map((j) => j.id));
      consumed += jobs.length;
    }
  };
  await Promise.all([
    ...Array.from({length: producers}, (_, p) => producer(p)),
    ...Array.from({length: consumers}, consumer)
  ]);
  emitRun('pgboss', batch, consumed, total, start);
  await boss.stop({ graceful: false, destroy: true });
}

async function graphileWorker(batch, total) {
  const utils = await graphile.makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  let consumed = 0;
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const runner = await graphile.run({
    connectionString: url,
    concurrency: consumers,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new graphile.Logger(() => () => {}),
    taskList: {
      bench: async () => {
        consumed += 1;
        if (consumed >= total) resolveDone();
      },
    },
  });
  const start = Date.now();
  const deadline = start + limitMs;
  const producer = async (p) => {
    for (let sent = 0; sent < share(total, p) && Date.now() < deadline; sent += batch) {
      if (batch === 1) {
        await utils.addJob('bench', body);
        continue;
      }
      const n = Math.min(batch, share(total, p) - sent);
      // One statement and one transaction for the batch, as pg-boss's insert() and our
      // SendMessageBatch; add_jobs() also sends the one NOTIFY that wakes the runner.
      await utils.withPgClient((client) => client.query(
          'SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(SELECT ROW(\'bench\', $1::json,' +
              ' NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec' +
              ' FROM generate_series(1, $2)))',
          [JSON.stringify(body), n]));
    }
  };
  await Promise.all(Array.from({length: producers}, (_, p) => producer(p)));
  let timer;
  await Promise.race(
      [done, new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
  clearTimeout(timer);  // a pending timer would keep node running until the deadline
  emitRun('graphile_worker', batch, consumed, total, start);
  await runner.stop();
  await utils.release();
}

(async () => {
  // The single-message runs use a tenth of the messages, as the C++ benchmark does.
  const single = Math.max(10, Math.floor(messages / 10));
  if (only === 'all' || only === 'pgboss') {
    await pgBoss(10, messages);
    await pgBoss(1, single);
  }
  if (only === 'all' || only === 'graphile') {
    await graphileWorker(10, messages);
    await graphileWorker(1, single);
  }
})().catch((e) => {
  console.error('postgres_peers_bench:', e);
  process.exit(1);
});
